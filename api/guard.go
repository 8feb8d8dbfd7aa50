package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Problem types of the cost guard.
const (
	problemOverloaded       = "urn:clusteratlas:problem:overloaded"
	problemDeadline         = "urn:clusteratlas:problem:deadline-exceeded"
	problemResponseTooLarge = "urn:clusteratlas:problem:response-too-large"
	problemURITooLong       = "urn:clusteratlas:problem:uri-too-long"
)

// costGuard bounds the request-dependent geometry work (posted geometries,
// nearest, within): at most `slots` run at once, at most `queue` wait for
// a slot, and the rest are refused at once with 503 + Retry-After. Cheap
// routes (/locate, documents, tiles from cache) never pass through it, so
// however many costly requests arrive, they keep the cores the guard
// leaves them.
type costGuard struct {
	slots   chan struct{}
	waiting atomic.Int64
	queue   int64
	timeout time.Duration
	// retryAfter is the Retry-After header value (seconds) of a refusal.
	retryAfter string
}

func newCostGuard(slots, queue int, timeout time.Duration) *costGuard {
	retry := int(timeout / time.Second)
	if retry < 1 {
		retry = 1
	}
	return &costGuard{slots: make(chan struct{}, slots), queue: int64(queue), timeout: timeout, retryAfter: strconv.Itoa(retry)}
}

func (g *costGuard) overloaded(detail string) *Problem {
	return &Problem{Type: problemOverloaded, Title: "Service Unavailable", Status: http.StatusServiceUnavailable, Detail: detail}
}

// enter takes a slot, waiting in the bounded queue until the request's
// deadline at most; the returned release must be called.
func (g *costGuard) enter(ctx context.Context) (release func(), p *Problem) {
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, nil
	default:
	}
	if g.waiting.Add(1) > g.queue {
		g.waiting.Add(-1)
		return nil, g.overloaded(fmt.Sprintf("%d costly requests are running and %d waiting (--max-costly, --costly-queue); retry later", cap(g.slots), g.queue))
	}
	defer g.waiting.Add(-1)
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, nil
	case <-ctx.Done():
		return nil, g.overloaded(fmt.Sprintf("no slot for costly work freed within the request timeout of %v (--request-timeout); retry later", g.timeout))
	}
}

// deadlineProblem answers a request whose costly work ran out of time.
func deadlineProblem(timeout time.Duration) *Problem {
	return &Problem{Type: problemDeadline, Title: "Service Unavailable", Status: http.StatusServiceUnavailable,
		Detail: fmt.Sprintf("the query did not finish within the request timeout of %v (--request-timeout) and was stopped; narrow it (smaller geometry, radius or k) or retry later", timeout)}
}

// costly wraps a handler that does request-dependent geometry work: it
// waits for a slot of the guard and runs under a deadline that the geo
// loops observe (c.UserContext()).
func (s *Server) costly(h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(context.Background(), s.guard.timeout)
		defer cancel()
		release, p := s.guard.enter(ctx)
		if p != nil {
			c.Set(fiber.HeaderRetryAfter, s.guard.retryAfter)
			return p
		}
		defer release()
		c.SetUserContext(ctx)
		err := h(c)
		if err == nil && ctx.Err() != nil {
			// finished, but late: the answer is complete, send it
			return nil
		}
		if err != nil && ctx.Err() != nil && isContextErr(err) {
			c.Set(fiber.HeaderRetryAfter, s.guard.retryAfter)
			return deadlineProblem(s.guard.timeout)
		}
		return err
	}
}

func isContextErr(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// limits applies the per-request size rules in one middleware (one hop
// on the hot path): an over-long request target is 414 naming the real path
// (longer than the read buffer, fasthttp answers 431 first), and an answer
// larger than --max-response-bytes is refused before anything is sent -
// a clear problem instead of a body a slow reader would hold in memory.
// It sits inside compress, so it bounds the answer as built.
func (s *Server) limits(c *fiber.Ctx) error {
	if n := len(c.Request().Header.RequestURI()); n > s.cfg.MaxURIBytes {
		return &Problem{Type: problemURITooLong, Title: "URI Too Long", Status: http.StatusRequestURITooLong, Instance: clip(c.Path()),
			Detail: fmt.Sprintf("the request target is %d bytes, above the limit of %d (--max-uri-bytes)", n, s.cfg.MaxURIBytes)}
	}
	if err := c.Next(); err != nil {
		return err
	}
	if n := len(c.Response().Body()); n > s.cfg.MaxResponseBytes {
		c.Response().ResetBody()
		return &Problem{Type: problemResponseTooLarge, Title: "Response too large", Status: http.StatusUnprocessableEntity,
			Detail: fmt.Sprintf("the answer would be %d bytes, above the limit of %d (--max-response-bytes); ask for less: omit geometry (geometry=false), simplify it (zoom), or lower k, radius_km or limit", n, s.cfg.MaxResponseBytes)}
	}
	return nil
}
