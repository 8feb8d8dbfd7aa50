// Package api serves the atlas over HTTP with Fiber: OGC API - Features
// (Core, GeoJSON, HTML, OpenAPI 3.0), spatial queries, the planner's
// comparison, Mapbox Vector Tiles with TileJSON (tiles.go, package tiles),
// the built-in map viewer (package viewer), problem+json errors, ETag
// caching, CORS, compression and Prometheus metrics. Handlers are thin:
// parse (params.go), call geo, encode.
package api

import (
	"log/slog"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/clusteratlas/clusteratlas/api/tiles"
	"github.com/clusteratlas/clusteratlas/geo/topo"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/cors"
	"github.com/prometheus/client_golang/prometheus"
)

// Config is the HTTP behaviour of the service.
type Config struct {
	// CORSOrigins are the origins allowed to read responses ("*" for any).
	CORSOrigins []string
	// CacheMaxAge is the Cache-Control max-age of GET responses (0: no-cache,
	// which still lets clients revalidate with the ETag).
	CacheMaxAge time.Duration
	// BodyLimit bounds a request body in bytes (POST /intersects); larger is 413.
	BodyLimit int
	// MaxVertices bounds the vertices of a posted geometry (and of a CQL2
	// filter's geometry literal).
	MaxVertices int
	// MaxFilterBytes and MaxFilterDepth bound a CQL2 filter's length and
	// nesting (defaults DefaultMaxFilterBytes, DefaultMaxFilterDepth).
	MaxFilterBytes, MaxFilterDepth int
	// MaxLimit is the largest items page served (default MaxLimit); a
	// larger limit is served at this size with a next link.
	MaxLimit int
	// ReadTimeout, WriteTimeout and IdleTimeout are the server's socket timeouts.
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// BaseURL, if set, prefixes every link (e.g. https://atlas.example.org
	// behind a proxy); otherwise links are built from the request's scheme and Host.
	BaseURL string
	// TrustedProxies are the peers (IPs or CIDRs) whose X-Forwarded-Proto
	// and X-Forwarded-Host build links when BaseURL is unset; from any other
	// peer those headers are ignored. Empty: trust no one.
	TrustedProxies []string
	// MaxCostly bounds the costly requests (POST /intersects, /nearest,
	// /within) computing at once; CostlyQueue how many more may wait for a
	// slot (0: DefaultCostlyQueue, negative: none). Beyond that: 503 with
	// Retry-After.
	MaxCostly, CostlyQueue int
	// RequestTimeout bounds a costly request, queueing included; the geometry
	// work stops when it passes (503 with Retry-After).
	RequestTimeout time.Duration
	// MaxResponseBytes bounds an answer body (before compression); a larger
	// answer is refused with a 422 problem before anything is sent.
	MaxResponseBytes int
	// MaxURIBytes bounds the request target (path and query): longer is 414.
	MaxURIBytes int
	// MaxHeaderBytes is the read buffer for the request line and headers:
	// a request whose head does not fit gets 431.
	MaxHeaderBytes int
	// Logger receives request errors and recovered panics (default: slog.Default()).
	Logger *slog.Logger
	// TileCacheBytes bounds the memory of the in-memory vector-tile cache
	// (LRU by bytes; bodies plus a small per-tile overhead) of the states
	// built by Server.WithLevels. Zero means tiles.DefaultCacheBytes
	// (64 MiB); negative disables the cache.
	TileCacheBytes int64
	// BuildVersion identifies the binary; it is part of every ETag, so a new
	// build that serves the same data differently (a new encoding, curved
	// flows) never answers 304 to a tag an older build issued.
	BuildVersion string
	// Registry receives the HTTP metrics and is what /metrics serves
	// (default: a new registry with the Go and process collectors).
	Registry *prometheus.Registry
}

// Defaults used for zero Config fields.
const (
	DefaultBodyLimit        = 1 << 20
	DefaultMaxVertices      = 10000
	DefaultCostlyQueue      = 8
	DefaultRequestTimeout   = 10 * time.Second
	DefaultMaxResponseBytes = 32 << 20
	DefaultMaxURIBytes      = 8 << 10
	DefaultMaxHeaderBytes   = 16 << 10
)

// DefaultMaxCostly is half the cores (at least one): the other half stays
// free for the cheap routes whatever the costly ones ask.
func DefaultMaxCostly() int { return max(1, runtime.NumCPU()/2) }

func (c *Config) fillDefaults() {
	if len(c.CORSOrigins) == 0 {
		c.CORSOrigins = []string{"*"}
	}
	if c.BodyLimit <= 0 {
		c.BodyLimit = DefaultBodyLimit
	}
	if c.MaxVertices <= 0 {
		c.MaxVertices = DefaultMaxVertices
	}
	if c.MaxFilterBytes <= 0 {
		c.MaxFilterBytes = DefaultMaxFilterBytes
	}
	if c.MaxFilterDepth <= 0 {
		c.MaxFilterDepth = DefaultMaxFilterDepth
	}
	if c.MaxLimit <= 0 {
		c.MaxLimit = MaxLimit
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = 10 * time.Second
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 30 * time.Second
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 120 * time.Second
	}
	if c.MaxCostly <= 0 {
		c.MaxCostly = DefaultMaxCostly()
	}
	if c.CostlyQueue < 0 {
		c.CostlyQueue = 0
	} else if c.CostlyQueue == 0 {
		c.CostlyQueue = DefaultCostlyQueue
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.MaxResponseBytes <= 0 {
		c.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if c.MaxURIBytes <= 0 {
		c.MaxURIBytes = DefaultMaxURIBytes
	}
	if c.MaxHeaderBytes <= 0 {
		c.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if c.MaxHeaderBytes < c.MaxURIBytes+1024 {
		c.MaxHeaderBytes = c.MaxURIBytes + 1024 // room for the request line and a few headers
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
}

// Server is the Fiber app plus the swappable state it serves.
type Server struct {
	cfg     Config
	app     *fiber.App
	state   atomic.Pointer[State]
	metrics *httpMetrics
	guard   *costGuard
	log     *slog.Logger
	// cacheControl is the Cache-Control value of dataset-derived answers.
	cacheControl []byte
	// lastBase is the link base of the latest request (boxedBase).
	lastBase atomic.Pointer[cachedBase]
}

// New builds the app serving st (which may still lack its levels; /readyz
// says 503 until SetState gives it a state with levels).
func New(cfg Config, st *State) *Server {
	cfg.fillDefaults()
	s := &Server{cfg: cfg, log: cfg.Logger, cacheControl: []byte(cacheControlValue(cfg.CacheMaxAge))}
	s.state.Store(st)
	s.metrics = newHTTPMetrics(cfg.Registry)
	s.guard = newCostGuard(cfg.MaxCostly, cfg.CostlyQueue, cfg.RequestTimeout)
	s.app = fiber.New(fiber.Config{
		AppName:               "clusteratlas",
		BodyLimit:             cfg.BodyLimit,
		ReadBufferSize:        cfg.MaxHeaderBytes,
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          cfg.WriteTimeout,
		IdleTimeout:           cfg.IdleTimeout,
		DisableStartupMessage: true,
		// Fiber's default would send text/plain for errors raised outside
		// the handler chain (e.g. the body limit): keep them problems too.
		ErrorHandler: func(c *fiber.Ctx, err error) error { return writeProblem(c, err, s.log) },
		// Strict routing keeps one URL per resource, so ETags and links are canonical.
		StrictRouting: true,
		// X-Forwarded-* only from the configured proxies (none by default).
		EnableTrustedProxyCheck: true,
		TrustedProxies:          cfg.TrustedProxies,
		CaseSensitive:           true,
	})
	// One route holds the whole chain: Fiber moves between the handlers
	// of one route without searching its route stack again.
	s.app.Use(
		// metrics outermost (they see the problem a panic became), in one
		// handler with the recovery
		func(c *fiber.Ctx) error {
			// fasthttp stamps each request just before the handler: one
			// clock read less (zero when a test calls the handler directly)
			start := c.Context().Time()
			if start.IsZero() {
				start = time.Now()
			}
			err := s.recoverProblems(c)
			s.metrics.record(c, start)
			return err
		},
		cors.New(cors.Config{
			AllowOrigins:  strings.Join(cfg.CORSOrigins, ","),
			AllowMethods:  "GET,HEAD,POST,OPTIONS",
			AllowHeaders:  "Accept,Content-Type,If-None-Match",
			ExposeHeaders: "ETag,Content-Disposition",
			MaxAge:        3600,
		}),
		s.finishETag,
		compress.New(compress.Config{Level: compress.LevelBestSpeed}),
		s.limits, // URI length and answer size (guard.go)
	)
	s.registerRoutes()
	return s
}

// App is the Fiber app (for Listen, Shutdown and app.Test).
func (s *Server) App() *fiber.App { return s.app }

// State is the snapshot currently served.
func (s *Server) State() *State { return s.state.Load() }

// SetState swaps in a new snapshot; requests in flight finish on the old one.
func (s *Server) SetState(st *State) { s.state.Store(st) }

// WithLevels returns a copy of st serving the simplified levels and the
// vector tiles built on them with the server's tile options (the
// start-up build and reloads use it).
func (s *Server) WithLevels(st *State, l *topo.Levels) *State {
	return st.WithLevelsAndTiles(l, tiles.Options{CacheBytes: s.cfg.TileCacheBytes})
}

// CompareAndSetState swaps only if old is still current; the background
// level build uses it so it never overwrites a state a reload installed.
func (s *Server) CompareAndSetState(old, st *State) bool { return s.state.CompareAndSwap(old, st) }

// recoverProblems turns handler errors and panics into problem responses
// here, inside the metrics middleware, so metrics see the final status.
func (s *Server) recoverProblems(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic serving request", "method", c.Method(), "path", c.Path(), "panic", r)
			err = writeProblem(c, &Problem{Type: problemInternal, Title: "Internal Server Error", Status: 500,
				Detail: "the server hit an unexpected error; it has been logged"}, s.log)
		}
	}()
	if err := c.Next(); err != nil {
		return writeProblem(c, err, s.log)
	}
	return nil
}
