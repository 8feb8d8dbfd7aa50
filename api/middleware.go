package api

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/gofiber/fiber/v2"
)

// localState is the Ctx local holding the request's State snapshot, so the
// ETag and the body are computed from the same data even if a reload swaps
// the state mid-request.
const localState = "clusteratlas.state"

// snapshot returns the state this request reads.
func (s *Server) snapshot(c *fiber.Ctx) *State {
	if st, ok := c.Locals(localState).(*State); ok && st != nil {
		return st
	}
	st := s.State()
	c.Locals(localState, st)
	return st
}

// localRoute is the Ctx local holding the matched route pattern (OpenAPI
// form, e.g. /collections/{collectionId}/items) for the metrics labels.
const localRoute = "clusteratlas.route"

// checkNotModified gives every dataset-derived GET a strong ETag and answers
// a matching If-None-Match with 304 before any work is done. It runs in the
// route wrapper (after routing, so metrics still see the route pattern).
// The tag hashes the state version (dataset + indicators), the path, the
// sorted query and the Accept header (the raw header rather than the
// negotiated type, so two requests share a tag only if they are guaranteed
// the same representation).
func (s *Server) checkNotModified(c *fiber.Ctx) bool {
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		return false
	}
	st := s.snapshot(c)
	// one header write instead of two Vary appends, its name already in
	// canonical form: this runs on every GET
	c.Response().Header.SetCanonical(headerVary, varyAcceptAndEncoding)
	var tag [2 * 16]byte
	return s.notModifiedBytes(c, requestTag(&tag, st.tagPrefix(s.cfg.BuildVersion), s.base(c), c))
}

var (
	headerVary            = []byte(fiber.HeaderVary)
	headerETag            = []byte("Etag") // fasthttp's canonical form of ETag
	headerCacheControl    = []byte(fiber.HeaderCacheControl)
	varyAcceptAndEncoding = []byte("Accept, Accept-Encoding")
)

// notModified gives the response base as its entity tag and answers a
// matching If-None-Match with 304. The viewer's static files use it with a
// hash of their content.
func (s *Server) notModified(c *fiber.Ctx, base string) bool {
	var buf [128]byte
	return s.notModifiedBytes(c, append(buf[:0], base...))
}

// notModifiedBytes sets the ETag header now, from a stack buffer (no
// allocation on the hot path); finishETag appends the content coding to it
// on a 200, or drops it from an error.
func (s *Server) notModifiedBytes(c *fiber.Ctx, base []byte) bool {
	h := &c.Response().Header
	if len(h.Peek(fiber.HeaderVary)) == 0 {
		c.Vary(fiber.HeaderAcceptEncoding)
	}
	var buf [130]byte
	h.SetCanonical(headerETag, append(append(append(buf[:0], '"'), base...), '"'))
	if inm := c.Request().Header.Peek(fiber.HeaderIfNoneMatch); len(inm) > 0 {
		if match, ok := matchIfNoneMatch(string(inm), string(base)); ok {
			c.Set(fiber.HeaderETag, match)
			s.setCacheControl(c)
			c.Status(fiber.StatusNotModified)
			c.Response().ResetBody()
			return true
		}
	}
	return false
}

// finishETag sets the ETag and Cache-Control of a 200 response after
// compression, appending the content coding ("...-br"): a strong validator
// must differ between codings (RFC 9110 §8.8.3).
func (s *Server) finishETag(c *fiber.Ctx) error {
	h := &c.Response().Header
	if err := c.Next(); err != nil {
		h.Del(fiber.HeaderETag) // the error handler writes a problem: no validator
		return err
	}
	etag := h.Peek(fiber.HeaderETag)
	if len(etag) < 2 {
		return nil
	}
	switch c.Response().StatusCode() {
	case fiber.StatusOK:
		if enc := h.Peek(fiber.HeaderContentEncoding); len(enc) > 0 {
			var buf [160]byte
			b := append(buf[:0], etag[:len(etag)-1]...)
			b = append(append(append(b, '-'), enc...), '"')
			h.SetCanonical(headerETag, b)
		}
		s.setCacheControl(c)
	case fiber.StatusNotModified, fiber.StatusNoContent:
		// 304 echoes the matched tag; an empty tile keeps its tag
	default:
		h.Del(fiber.HeaderETag)
	}
	return nil
}

func (s *Server) setCacheControl(c *fiber.Ctx) {
	c.Response().Header.SetCanonical(headerCacheControl, s.cacheControl)
}

// cacheControlValue renders the configured Cache-Control once.
func cacheControlValue(maxAge time.Duration) string {
	if maxAge > 0 {
		return "public, max-age=" + strconv.Itoa(int(maxAge/time.Second))
	}
	return "no-cache"
}

// requestTag hashes the normalized request into out as hex (xxHash: an
// ETag needs uniqueness, not secrecy, and this runs on every GET). The
// query enters as an order-independent sum of per-parameter hashes, so
// a=1&b=2 and b=2&a=1 share a tag without sorting. The link base (scheme
// and Host) is part of it because every link is absolute.
func requestTag(out *[32]byte, version, linkBase string, c *fiber.Ctx) []byte {
	var query uint64
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		var pairBuf [128]byte // the usual parameter fits: no allocation
		query += xxhash.Sum64(append(append(append(pairBuf[:0], k...), '='), v...))
	})
	var keyBuf [512]byte // the usual key fits: no allocation
	key := append(keyBuf[:0], version...)
	key = append(append(key, 0), linkBase...)
	key = append(append(key, 0), c.Request().URI().Path()...)
	key = binary.LittleEndian.AppendUint64(append(key, 0), query)
	key = append(append(key, 0), bytes.TrimSpace(c.Request().Header.Peek(fiber.HeaderAccept))...)
	// two 64-bit lanes (the key, and the key with one more byte) make the
	// 128-bit tag
	var sum [16]byte
	binary.BigEndian.PutUint64(sum[:8], xxhash.Sum64(key))
	binary.BigEndian.PutUint64(sum[8:], xxhash.Sum64(append(key, 0xff)))
	hex.Encode(out[:], sum[:])
	return out[:]
}

// matchIfNoneMatch reports whether the header names base (in any content
// coding: a client that cached the gzip body may revalidate via a proxy
// that asks for identity), returning the tag to echo. "*" matches too.
func matchIfNoneMatch(header, base string) (string, bool) {
	if header == "" {
		return "", false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			return `"` + base + `"`, true
		}
		// If-None-Match uses weak comparison (RFC 9110 §13.1.2).
		t = strings.TrimPrefix(t, "W/")
		if len(t) < 2 || t[0] != '"' || t[len(t)-1] != '"' {
			continue
		}
		opaque := t[1 : len(t)-1]
		if opaque == base || strings.HasPrefix(opaque, base+"-") {
			return t, true
		}
	}
	return "", false
}

// knownMethods are the method labels; any other method is counted as
// "other" so a client cannot grow the label space with made-up methods.
var knownMethods = []string{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"}

// methodLabel maps a request method to a constant string: the result never
// aliases fasthttp's reused request buffer.
func methodLabel(method string) string {
	for _, m := range knownMethods {
		if method == m {
			return m
		}
	}
	return "other"
}
