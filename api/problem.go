package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gofiber/fiber/v2"
)

// Problem is an RFC 9457 (formerly RFC 7807) problem detail. Every 4xx/5xx
// response of the service is one, served as application/problem+json.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Instance is the request path, so a logged problem can be traced back.
	Instance string `json:"instance,omitempty"`
	// Parameter names the query parameter (or "body") that broke a rule, so
	// clients can point at the offending input without parsing Detail.
	Parameter string `json:"parameter,omitempty"`
}

func (p *Problem) Error() string { return fmt.Sprintf("%d %s: %s", p.Status, p.Title, p.Detail) }

// Problem type URIs. They are URNs rather than URLs because the service may
// run offline; they are stable identifiers clients can switch on.
const (
	problemInvalidParameter = "urn:clusteratlas:problem:invalid-parameter"
	problemUnknownParameter = "urn:clusteratlas:problem:unknown-parameter"
	problemInvalidBody      = "urn:clusteratlas:problem:invalid-body"
	problemTooManyVertices  = "urn:clusteratlas:problem:too-many-vertices"
	problemNotFound         = "urn:clusteratlas:problem:not-found"
	problemNotAcceptable    = "urn:clusteratlas:problem:not-acceptable"
	problemNotReady         = "urn:clusteratlas:problem:not-ready"
	problemInternal         = "urn:clusteratlas:problem:internal"
	problemHTTP             = "about:blank" // plain HTTP status, title is the status text
)

// invalidParam is the 400 for a parameter value that breaks a rule; rule
// says which, e.g. "must be a number between -180 and 180".
func invalidParam(param, format string, args ...any) *Problem {
	return &Problem{
		Type: problemInvalidParameter, Title: "Invalid parameter", Status: http.StatusBadRequest,
		Detail: fmt.Sprintf("parameter %q: ", param) + fmt.Sprintf(format, args...), Parameter: param,
	}
}

func invalidBody(format string, args ...any) *Problem {
	return &Problem{
		Type: problemInvalidBody, Title: "Invalid request body", Status: http.StatusBadRequest,
		Detail: "request body: " + fmt.Sprintf(format, args...), Parameter: "body",
	}
}

func notFound(param, format string, args ...any) *Problem {
	return &Problem{
		Type: problemNotFound, Title: "Not found", Status: http.StatusNotFound,
		Detail: fmt.Sprintf(format, args...), Parameter: param,
	}
}

// problemFrom turns any handler error into a Problem: our own problems pass
// through, Fiber's errors (404 route, 405, 413 from the body limit, ...)
// keep their status, anything else is an internal error.
func problemFrom(err error) (p *Problem, internal bool) {
	var prob *Problem
	if errors.As(err, &prob) {
		cp := *prob
		// 503 (levels still building) is expected at start-up, not a bug.
		return &cp, prob.Status >= 500 && prob.Status != http.StatusServiceUnavailable
	}
	var ferr *fiber.Error
	if errors.As(err, &ferr) {
		p := &Problem{Type: problemHTTP, Title: http.StatusText(ferr.Code), Status: ferr.Code, Detail: ferr.Message}
		switch ferr.Code {
		case http.StatusNotFound:
			p.Type = problemNotFound
			p.Detail = "no such resource: " + ferr.Message
		case http.StatusMethodNotAllowed:
			p.Detail = "this resource does not support the request method"
		case http.StatusRequestEntityTooLarge:
			p.Detail = "the request body exceeds the body size limit"
			p.Parameter = "body"
		}
		if p.Title == "" {
			p.Title = "Error"
		}
		return p, ferr.Code >= 500
	}
	return &Problem{Type: problemInternal, Title: "Internal Server Error", Status: http.StatusInternalServerError,
		Detail: "the server hit an unexpected error; it has been logged"}, true
}

// writeProblem renders err as application/problem+json. It is both Fiber's
// ErrorHandler (for errors raised outside the handler chain, such as the
// body limit) and the chain's own error sink.
func writeProblem(c *fiber.Ctx, err error, log *slog.Logger) error {
	p, internal := problemFrom(err)
	if p.Status == http.StatusRequestHeaderFieldsTooLarge {
		// fasthttp could not read the request head: there is no path to name
		p.Detail = "the request line and headers do not fit the read buffer (--max-header-bytes); a long query string is 414 below that size"
	} else if p.Instance == "" {
		p.Instance = clip(c.Path())
	}
	if internal {
		log.Error("request failed", "method", c.Method(), "path", c.Path(), "error", err.Error())
	}
	body, _ := json.Marshal(p)
	// A problem is never cacheable as the resource: drop validators a
	// middleware may have set before the failure.
	c.Response().Header.Del(fiber.HeaderETag)
	c.Response().Header.Del(fiber.HeaderContentEncoding)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, "application/problem+json")
	if p.Status == http.StatusServiceUnavailable {
		c.Set(fiber.HeaderRetryAfter, "5")
	}
	return c.Status(p.Status).Send(body)
}
