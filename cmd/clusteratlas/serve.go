package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/clusteratlas/clusteratlas/api"
	"github.com/clusteratlas/clusteratlas/api/tiles"
	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/data/snapshot"
	"github.com/clusteratlas/clusteratlas/geo/topo"
)

// serveOptions are the serve flags; each falls back to an environment
// variable so containers can be configured without a command line.
type serveOptions struct {
	Addr            string
	Data            string
	Indicators      string
	CORSOrigins     string
	CacheMaxAge     time.Duration
	BodyLimit       int
	MaxVertices     int
	MaxFilterBytes  int
	MaxFilterDepth  int
	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	IdleTimeout     time.Duration
	ShutdownTimeout time.Duration
	TileCacheBytes  int64
	MemoryLimit     int64
	BaseURL         string
	TrustedProxies  string
	MaxCostly       int
	CostlyQueue     int
	RequestTimeout  time.Duration
	MaxResponse     int
	MaxURIBytes     int
	MaxHeaderBytes  int
	DrainBytes      int64
	DrainTimeout    time.Duration
	LogFormat       string
	LogLevel        string
}

// defaultMemoryLimit keeps the RSS near 300 MiB under mixed load: the
// state itself is ~60 MB when ready and ~130 MB with every edge index
// built, the tile cache at most 64 MiB; the rest is garbage from large
// answers, which the GC would otherwise let grow to twice the live heap.
const defaultMemoryLimit = 300 << 20

// envOr reads CLUSTERATLAS_<name>, else def.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv("CLUSTERATLAS_" + name); ok {
		return v
	}
	return def
}

func parseServeFlags(args []string, stderr io.Writer) (*serveOptions, error) {
	o := &serveOptions{}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var envErr error
	dur := func(p *time.Duration, name, env string, def time.Duration, usage string) {
		d := def
		if v := envOr(env, ""); v != "" {
			parsed, err := time.ParseDuration(v)
			if err != nil {
				envErr = errors.Join(envErr, fmt.Errorf("CLUSTERATLAS_%s=%q: %v", env, v, err))
			}
			d = parsed
		}
		fs.DurationVar(p, name, d, usage+" (env CLUSTERATLAS_"+env+")")
	}
	integer := func(p *int, name, env string, def int, usage string) {
		n := def
		if v := envOr(env, ""); v != "" {
			parsed, err := strconv.Atoi(v)
			if err != nil {
				envErr = errors.Join(envErr, fmt.Errorf("CLUSTERATLAS_%s=%q: not an integer", env, v))
			}
			n = parsed
		}
		fs.IntVar(p, name, n, usage+" (env CLUSTERATLAS_"+env+")")
	}
	integer64 := func(p *int64, name, env string, def int64, usage string) {
		n := def
		if v := envOr(env, ""); v != "" {
			parsed, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				envErr = errors.Join(envErr, fmt.Errorf("CLUSTERATLAS_%s=%q: not an integer", env, v))
			}
			n = parsed
		}
		fs.Int64Var(p, name, n, usage+" (env CLUSTERATLAS_"+env+")")
	}
	str := func(p *string, name, env, def, usage string) {
		fs.StringVar(p, name, envOr(env, def), usage+" (env CLUSTERATLAS_"+env+")")
	}
	str(&o.Addr, "addr", "ADDR", ":8080", "listen address")
	str(&o.Data, "data", "DATA", "", "serve this dataset directory instead of the embedded data (reloaded on SIGHUP)")
	str(&o.Indicators, "indicators", "INDICATORS", "", "CSV of city indicators (header code,COLUMN,...) summed per cluster in /compare (reloaded on SIGHUP)")
	str(&o.CORSOrigins, "cors-origins", "CORS_ORIGINS", "*", "comma-separated origins allowed by CORS, or *")
	dur(&o.CacheMaxAge, "cache-max-age", "CACHE_MAX_AGE", time.Hour, "Cache-Control max-age of GET responses (0: no-cache, revalidate by ETag)")
	integer(&o.BodyLimit, "body-limit", "BODY_LIMIT", api.DefaultBodyLimit, "maximum request body in bytes (larger: 413)")
	integer(&o.MaxVertices, "max-vertices", "MAX_VERTICES", api.DefaultMaxVertices, "maximum vertices of a posted geometry or a filter's geometry")
	integer(&o.MaxFilterBytes, "max-filter-bytes", "MAX_FILTER_BYTES", api.DefaultMaxFilterBytes, "maximum length of a CQL2 filter in bytes (longer: 400)")
	integer(&o.MaxFilterDepth, "max-filter-depth", "MAX_FILTER_DEPTH", api.DefaultMaxFilterDepth, "maximum nesting of a CQL2 filter (deeper: 400)")
	dur(&o.ReadTimeout, "read-timeout", "READ_TIMEOUT", 10*time.Second, "socket read timeout")
	dur(&o.WriteTimeout, "write-timeout", "WRITE_TIMEOUT", 30*time.Second, "socket write timeout")
	dur(&o.IdleTimeout, "idle-timeout", "IDLE_TIMEOUT", 120*time.Second, "keep-alive idle timeout")
	dur(&o.ShutdownTimeout, "shutdown-timeout", "SHUTDOWN_TIMEOUT", 20*time.Second, "on SIGTERM/SIGINT, how long in-flight requests may take to finish")
	integer64(&o.TileCacheBytes, "tile-cache-bytes", "TILE_CACHE_BYTES", tiles.DefaultCacheBytes, "memory bound of the in-memory vector-tile cache in bytes, per tileset (WGS84 and GCJ-02 each have one; LRU; 0: the default, negative: no cache)")
	integer64(&o.MemoryLimit, "memory-limit-bytes", "MEMORY_LIMIT_BYTES", defaultMemoryLimit, "soft limit of the Go runtime's memory in bytes: the GC works harder near it instead of letting garbage from large answers grow the RSS (0: none, or GOMEMLIMIT)")
	str(&o.BaseURL, "base-url", "BASE_URL", "", "public URL prefix for links (default: from the request's scheme and Host)")
	str(&o.TrustedProxies, "trusted-proxies", "TRUSTED_PROXIES", "", "comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-Proto/-Host build links (default: none; ignored with --base-url)")
	integer(&o.MaxCostly, "max-costly", "MAX_COSTLY", api.DefaultMaxCostly(), "costly requests (POST /intersects, /nearest, /within) computing at once (default: half the cores)")
	integer(&o.CostlyQueue, "costly-queue", "COSTLY_QUEUE", api.DefaultCostlyQueue, "costly requests waiting for a slot; beyond that 503 with Retry-After")
	dur(&o.RequestTimeout, "request-timeout", "REQUEST_TIMEOUT", api.DefaultRequestTimeout, "deadline of a costly request, queueing included; the computation stops (503 with Retry-After)")
	integer(&o.MaxResponse, "max-response-bytes", "MAX_RESPONSE_BYTES", api.DefaultMaxResponseBytes, "largest answer body in bytes before compression; larger is refused with 422 before sending")
	integer(&o.MaxURIBytes, "max-uri-bytes", "MAX_URI_BYTES", api.DefaultMaxURIBytes, "longest request target (path and query) in bytes; longer is 414")
	integer(&o.MaxHeaderBytes, "max-header-bytes", "MAX_HEADER_BYTES", api.DefaultMaxHeaderBytes, "read buffer for the request line and headers in bytes; a larger head is 431")
	integer64(&o.DrainBytes, "drain-bytes", "DRAIN_BYTES", api.DefaultDrainBytes, "when the server closes a connection (e.g. after a 413), read and discard up to this many unread body bytes first so the client sees the answer instead of a reset (0: off)")
	dur(&o.DrainTimeout, "drain-timeout", "DRAIN_TIMEOUT", api.DefaultDrainTimeout, "how long such a drain may last")
	str(&o.LogFormat, "log-format", "LOG_FORMAT", "json", "log format: json or text")
	str(&o.LogLevel, "log-level", "LOG_LEVEL", "info", "log level: debug, info, warn, error")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: clusteratlas serve [flags]\n\nServes the atlas over HTTP. Signals: SIGTERM/SIGINT shut down gracefully; SIGHUP reloads --data and --indicators (validated first; on failure the old data keeps serving).\n\nFlags (each falls back to the environment variable shown):\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if envErr != nil {
		return nil, envErr
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if o.BodyLimit <= 0 || o.MaxVertices <= 0 {
		return nil, fmt.Errorf("--body-limit and --max-vertices must be positive")
	}
	if o.MaxCostly <= 0 || o.CostlyQueue < 0 || o.RequestTimeout <= 0 || o.MaxResponse <= 0 || o.MaxURIBytes <= 0 || o.MaxHeaderBytes <= 0 || o.DrainBytes < 0 || o.DrainTimeout <= 0 {
		return nil, fmt.Errorf("--max-costly, --request-timeout, --max-response-bytes, --max-uri-bytes, --max-header-bytes and --drain-timeout must be positive; --costly-queue and --drain-bytes not negative")
	}
	if _, err := parseTrustedProxies(o.TrustedProxies); err != nil {
		return nil, err
	}
	if o.MaxFilterBytes <= 0 || o.MaxFilterDepth <= 0 {
		return nil, fmt.Errorf("--max-filter-bytes and --max-filter-depth must be positive")
	}
	if o.MemoryLimit < 0 {
		return nil, fmt.Errorf("--memory-limit-bytes must be 0 (none) or positive, got %d", o.MemoryLimit)
	}
	if o.LogFormat != "json" && o.LogFormat != "text" {
		return nil, fmt.Errorf("--log-format must be json or text, got %q", o.LogFormat)
	}
	return o, nil
}

func newLogger(o *serveOptions, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.LogLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %v", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	if o.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return slog.New(slog.NewJSONHandler(w, opts)), nil
}

// loadState loads the dataset (embedded or --data) and the indicators and
// indexes them. From a snapshot (the embedded one, or DIR/atlas.snap that
// matches DIR's GeoJSON byte for byte) it also returns the simplified
// levels, so the state is complete at once; from GeoJSON alone levels is
// nil and the caller builds them (seconds on the real data).
func loadState(o *serveOptions, log *slog.Logger) (*api.State, *topo.Levels, error) {
	var ind *api.Indicators
	if o.Indicators != "" {
		var err error
		ind, err = api.LoadIndicators(o.Indicators)
		if err != nil {
			return nil, nil, fmt.Errorf("--indicators: %w", err)
		}
	}
	snap, where, err := findSnapshot(o, log)
	if err != nil {
		return nil, nil, err
	}
	if snap != nil {
		st, levels, err := api.NewStateFromSnapshot(snap, ind)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", where, err)
		}
		return st, levels, nil
	}
	var ds *data.Dataset
	if o.Data != "" {
		// Validate before decoding: a reload must never swap in a dataset
		// with invalid polygons or dangling references.
		if probs := data.Check(os.DirFS(o.Data)); len(probs) > 0 {
			return nil, nil, fmt.Errorf("--data %s: %d problem(s): %s", o.Data, len(probs), summarizeProblems(probs))
		}
		ds, err = data.LoadDir(o.Data)
		if err != nil {
			return nil, nil, fmt.Errorf("--data %s: %w", o.Data, err)
		}
	} else {
		ds, err = data.Load()
		if err != nil {
			return nil, nil, fmt.Errorf("embedded data: %w", err)
		}
	}
	st, err := api.NewState(ds, ind)
	if err != nil {
		return nil, nil, fmt.Errorf("indexing data: %w", err)
	}
	return st, nil, nil
}

// findSnapshot decodes the snapshot to serve, or returns nil to index the
// GeoJSON instead: the embedded one (built together with the embedded
// GeoJSON), or --data's atlas.snap when its recorded file hashes match the
// directory's files. A damaged snapshot is an error (it names the section);
// a stale or missing one in --data is a warning, and the GeoJSON — the
// dataset's source of truth — is served after a full check.
func findSnapshot(o *serveOptions, log *slog.Logger) (*snapshot.Contents, string, error) {
	if o.Data == "" {
		b := data.EmbeddedSnapshot()
		if b == nil {
			log.Warn("this binary has no embedded atlas.snap; indexing the GeoJSON (slow start; run `clusteratlas build` and rebuild the binary)")
			return nil, "", nil
		}
		c, err := snapshot.Decode(b)
		if err != nil {
			return nil, "", fmt.Errorf("embedded %s: %w", snapshot.FileName, err)
		}
		return c, "embedded " + snapshot.FileName, nil
	}
	path := filepath.Join(o.Data, snapshot.FileName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		log.Info("no "+snapshot.FileName+" in --data; indexing the GeoJSON (slow start: run `clusteratlas snapshot DIR` to write one)", "data", o.Data)
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("--data: %w", err)
	}
	c, err := snapshot.Decode(b)
	if err != nil {
		return nil, "", fmt.Errorf("--data %s: %w (delete it, or rewrite it with `clusteratlas snapshot %s`)", path, err, o.Data)
	}
	stale, err := c.Stale(os.DirFS(o.Data))
	if err != nil {
		return nil, "", fmt.Errorf("--data %s: %w", o.Data, err)
	}
	if stale != "" {
		log.Warn("ignoring a stale "+snapshot.FileName+"; indexing the GeoJSON (slow start: run `clusteratlas snapshot DIR`)", "data", o.Data, "why", stale)
		return nil, "", nil
	}
	return c, path, nil
}

// loadReadyState is loadState plus the simplified levels and the tiles
// (with srv's tile options), for reloads: the swapped-in state is
// complete, so a reload never makes /readyz flap.
func loadReadyState(o *serveOptions, srv *api.Server, log *slog.Logger) (*api.State, error) {
	st, levels, err := loadState(o, log)
	if err != nil {
		return nil, err
	}
	if levels == nil {
		levels, err = api.BuildLevels(st.Atlas)
		if err != nil {
			return nil, fmt.Errorf("simplifying: %w", err)
		}
	}
	return srv.WithLevels(st, levels), nil
}

func runServe(args []string) int {
	o, err := parseServeFlags(args, os.Stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(os.Stderr, "serve:", err)
		return 2
	}
	log, err := newLogger(o, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		return 2
	}
	if o.MemoryLimit > 0 { // process-wide, so here rather than in serve (tests)
		debug.SetMemoryLimit(o.MemoryLimit)
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		log.Error("cannot listen", "addr", o.Addr, "error", err.Error())
		return 1
	}
	return serve(o, log, ln, make(chan os.Signal, 1))
}

// serve runs the server on ln until a SIGTERM/SIGINT arrives on sigs (tests
// pass their own channel and listener).
func serve(o *serveOptions, log *slog.Logger, ln net.Listener, sigs chan os.Signal) int {
	start := time.Now()
	st, levels, err := loadState(o, log)
	if err != nil {
		log.Error("cannot load data", "error", err.Error())
		ln.Close()
		return 1
	}
	proxies, _ := parseTrustedProxies(o.TrustedProxies) // checked with the flags
	queue := o.CostlyQueue
	if queue == 0 {
		queue = -1 // api.Config: 0 is the default, negative is no queue
	}
	origins := strings.Split(o.CORSOrigins, ",")
	for i := range origins {
		origins[i] = strings.TrimSpace(origins[i])
	}
	srv := api.New(api.Config{
		CORSOrigins: origins, CacheMaxAge: o.CacheMaxAge, BodyLimit: o.BodyLimit, MaxVertices: o.MaxVertices,
		MaxFilterBytes: o.MaxFilterBytes, MaxFilterDepth: o.MaxFilterDepth,
		ReadTimeout: o.ReadTimeout, WriteTimeout: o.WriteTimeout, IdleTimeout: o.IdleTimeout,
		BaseURL: o.BaseURL, Logger: log, TileCacheBytes: o.TileCacheBytes, BuildVersion: version,
		TrustedProxies: proxies, MaxCostly: o.MaxCostly, CostlyQueue: queue, RequestTimeout: o.RequestTimeout,
		MaxResponseBytes: o.MaxResponse, MaxURIBytes: o.MaxURIBytes, MaxHeaderBytes: o.MaxHeaderBytes,
	}, st)
	log.Info("data loaded", "version", st.Version, "source", dataSource(o), "indicators", o.Indicators, "compare_table", st.CompareSource(), "snapshot", levels != nil, "took", time.Since(start).String())

	if levels != nil {
		srv.SetState(srv.WithLevels(st, levels))
		log.Info("ready", "took", time.Since(start).String())
	} else {
		// Simplified levels take a while on the real data: serve at once
		// and report ready when they are in. A reload in the meantime wins
		// (CAS).
		go buildLevelsInBackground(srv, st, log)
	}

	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)
	reloading := make(chan struct{}, 1)
	served := make(chan error, 1)
	go func() { served <- srv.App().Listener(api.LingerListener(ln, o.DrainBytes, o.DrainTimeout)) }()
	log.Info("listening", "addr", ln.Addr().String())

	for {
		select {
		case err := <-served:
			if err != nil {
				log.Error("server stopped", "error", err.Error())
				return 1
			}
			return 0
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				// Reload off the signal loop so a SIGTERM during a slow
				// reload still shuts down; one reload at a time.
				select {
				case reloading <- struct{}{}:
					go func() {
						defer func() { <-reloading }()
						reload(o, srv, log)
					}()
				default:
					log.Warn("SIGHUP ignored: a reload is already running")
				}
				continue
			}
			log.Info("shutting down; letting in-flight requests finish", "signal", sig.String(), "timeout", o.ShutdownTimeout.String())
			if err := srv.App().ShutdownWithTimeout(o.ShutdownTimeout); err != nil {
				log.Error("shutdown", "error", err.Error())
				return 1
			}
			<-served
			log.Info("stopped")
			return 0
		}
	}
}

// reload validates and indexes the data again, then swaps it in
// atomically; any failure is logged and the current data keeps serving.
func reload(o *serveOptions, srv *api.Server, log *slog.Logger) {
	t := time.Now()
	log.Info("SIGHUP: reloading", "source", dataSource(o), "indicators", o.Indicators)
	st, err := loadReadyState(o, srv, log)
	if err != nil {
		log.Error("reload failed; still serving the previous data", "error", err.Error(), "version", srv.State().Version)
		return
	}
	old := srv.State()
	srv.SetState(st)
	log.Info("reloaded", "version", st.Version, "previous_version", old.Version, "took", time.Since(t).String())
}

// buildLevelsInBackground simplifies the levels of a GeoJSON-loaded state
// and swaps them in unless a reload came first.
func buildLevelsInBackground(srv *api.Server, initial *api.State, log *slog.Logger) {
	t := time.Now()
	levels, err := api.BuildLevels(initial.Atlas)
	if err != nil {
		log.Error("simplification failed; zoom requests and /readyz will fail", "error", err.Error())
		return
	}
	if srv.CompareAndSetState(initial, srv.WithLevels(initial, levels)) {
		log.Info("ready", "levels_took", time.Since(t).String())
	}
}

func dataSource(o *serveOptions) string {
	if o.Data != "" {
		return o.Data
	}
	return "embedded"
}

// summarizeProblems lists the first few problems of a dataset check.
func summarizeProblems(probs []data.Problem) string {
	const show = 5
	parts := make([]string, 0, show+1)
	for i, p := range probs {
		if i == show {
			parts = append(parts, fmt.Sprintf("and %d more (run clusteratlas check)", len(probs)-show))
			break
		}
		parts = append(parts, p.String())
	}
	return strings.Join(parts, "; ")
}

// parseTrustedProxies splits --trusted-proxies into IPs and CIDRs, each
// checked, so a typo fails at start rather than trusting nobody silently.
func parseTrustedProxies(list string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if strings.Contains(p, "/") {
			if _, _, err := net.ParseCIDR(p); err != nil {
				return nil, fmt.Errorf("--trusted-proxies: %q is not an IP or CIDR", p)
			}
		} else if net.ParseIP(p) == nil {
			return nil, fmt.Errorf("--trusted-proxies: %q is not an IP or CIDR", p)
		}
		out = append(out, p)
	}
	return out, nil
}
