package api

// Vector tiles, TileJSON and the built-in map viewer. The tiles themselves
// are rendered and cached by package tiles (one *tiles.Tiles per State,
// built with the simplified levels); this file maps them onto HTTP.

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/clusteratlas/clusteratlas/api/tiles"
	"github.com/clusteratlas/clusteratlas/api/viewer"
	"github.com/gofiber/fiber/v2"
)

const mediaMVT = "application/vnd.mapbox-vector-tile"

// tilesNotReady is the 503 of the tile routes while the levels are built.
func tilesNotReady() *Problem {
	return &Problem{Type: problemNotReady, Title: "Not ready", Status: fiber.StatusServiceUnavailable,
		Detail: "the vector tiles are built with the simplified levels, which are still being built; retry shortly"}
}

// parseTileCoord reads one of z, x, y: a plain base-10 integer, so each
// tile has exactly one URL (no "+4" or "04" aliases with their own ETags).
func parseTileCoord(name, raw string) (int, *Problem) {
	v, err := strconv.Atoi(raw)
	if err != nil || strconv.Itoa(v) != raw {
		return 0, invalidParam(name, "must be a base-10 integer without sign or leading zeros, got %q", clip(raw))
	}
	return v, nil
}

// tile serves /tiles/{z}/{x}/{y}.mvt: the MVT body (200), 204 for a tile
// without features, 400 naming z, x or y when off the grid, 503 until the
// levels are built. The ETag and Cache-Control come from the route wrapper
// and finishETag like every dataset-derived response (a tile is a pure
// function of the dataset); an empty tile gets them too, so clients cache
// the ocean as well.
func (s *Server) tile() fiber.Handler { return s.tileFrom(wgs84Tiles) }

// gcj02Tile serves /tiles/gcj02/{z}/{x}/{y}.mvt: the same tiles drawn in
// GCJ-02, for AMap and Tencent base maps.
func (s *Server) gcj02Tile() fiber.Handler { return s.tileFrom(gcj02Tiles) }

func wgs84Tiles(st *State) *tiles.Tiles { return st.Tiles }
func gcj02Tiles(st *State) *tiles.Tiles { return st.TilesGCJ02 }

func (s *Server) tileFrom(tileset func(*State) *tiles.Tiles) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var zxy [3]int
		for i, name := range [...]string{"z", "x", "y"} {
			v, p := parseTileCoord(name, c.Params(name))
			if p != nil {
				return p
			}
			zxy[i] = v
		}
		z, x, y := zxy[0], zxy[1], zxy[2]
		if err := tiles.Validate(z, x, y); err != nil {
			var re *tiles.RangeError
			if errors.As(err, &re) {
				return invalidParam(re.Param, "%s, got %d", re.Rule, re.Value)
			}
			return err
		}
		st := s.snapshot(c)
		if !st.Ready() || tileset(st) == nil {
			return tilesNotReady()
		}
		body, err := tileset(st).Tile(z, x, y)
		if err != nil {
			return err
		}
		if body == nil { // the ETag header is set already (notModified)
			s.setCacheControl(c)
			c.Response().Header.SetNoDefaultContentType(true)
			c.Status(fiber.StatusNoContent)
			return nil
		}
		c.Set(fiber.HeaderContentType, mediaMVT)
		return c.Send(body)
	}
}

// tileJSON serves /tiles.json (TileJSON 3.0.0). The tile URL template is
// built on the same base as every other link (--base-url, else the
// request's scheme and Host), so it works behind TLS and a path prefix.
func (s *Server) tileJSON() fiber.Handler {
	return func(c *fiber.Ctx) error {
		st := s.snapshot(c)
		if !st.Ready() || st.Tiles == nil {
			return tilesNotReady()
		}
		return sendJSON(c, mediaJSON, st.Tiles.TileJSON(s.base(c)+"/tiles/{z}/{x}/{y}.mvt"))
	}
}

// gcj02TileJSON serves /tiles/gcj02.json, the TileJSON of the GCJ-02 tiles.
func (s *Server) gcj02TileJSON() fiber.Handler {
	return func(c *fiber.Ctx) error {
		st := s.snapshot(c)
		if !st.Ready() || st.TilesGCJ02 == nil {
			return tilesNotReady()
		}
		return sendJSON(c, mediaJSON, st.TilesGCJ02.TileJSON(s.base(c)+"/tiles/gcj02/{z}/{x}/{y}.mvt"))
	}
}

// viewerFile is one embedded viewer file with its entity tag.
type viewerFile struct {
	body []byte
	tag  string
}

var (
	viewerOnce  sync.Once
	viewerFiles map[string]viewerFile
)

// loadViewerFiles reads viewer.Files() once, hashing each file: the ETag
// of a static file follows its bytes (a new binary may change them while
// the dataset version stays), not the dataset version.
func loadViewerFiles() map[string]viewerFile {
	viewerOnce.Do(func() {
		viewerFiles = map[string]viewerFile{}
		_ = fs.WalkDir(viewer.Files(), ".", func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			body, err := fs.ReadFile(viewer.Files(), name)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(body)
			viewerFiles[name] = viewerFile{body: body, tag: "v-" + hex.EncodeToString(sum[:16])}
			return nil
		})
	})
	return viewerFiles
}

// registerViewer serves the built-in map viewer. /viewer redirects to
// /viewer/ (the app routes strictly, and the viewer's pages use relative
// URLs so the service can sit under a path prefix); /viewer/{file} serves
// the embedded files. They are static files, not API operations: they are
// not in the OpenAPI paths (the document points at the viewer through
// externalDocs) and ignore query parameters (a cache-busting ?v= is
// harmless) rather than applying the unknown-parameter rule.
func (s *Server) registerViewer() {
	files := loadViewerFiles()
	s.app.Get("/viewer", func(c *fiber.Ctx) error {
		c.Locals(localRoute, "/viewer")
		target := s.base(c) + "/viewer/"
		if q := c.Context().QueryArgs().QueryString(); len(q) > 0 {
			target += "?" + string(q)
		}
		return c.Redirect(target, fiber.StatusMovedPermanently)
	})
	s.app.Get("/viewer/*", func(c *fiber.Ctx) error {
		c.Locals(localRoute, "/viewer/{file}")
		name := strings.TrimPrefix(path.Clean("/"+c.Params("*")), "/")
		if name == "" {
			name = "index.html"
		}
		f, ok := files[name]
		if !ok {
			return notFound("", "the viewer has no file %q", clip(name))
		}
		c.Set("X-Content-Type-Options", "nosniff")
		if s.notModified(c, f.tag) {
			return nil
		}
		c.Set(fiber.HeaderContentType, viewer.ContentType(name))
		return c.Send(f.body)
	})
}
