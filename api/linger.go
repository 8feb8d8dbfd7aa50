package api

import (
	"io"
	"net"
	"sync"
	"time"
)

// Lingering close, as nginx does it: when the server closes a connection
// (after a 413, say) the client may still be sending a body it was never
// asked to hold back (no Expect: 100-continue: Python's urllib, browsers'
// fetch). Closing a socket with unread data makes the kernel send a reset,
// and the client loses the answer already written. So the server half-
// closes (FIN after the response) and reads and discards what still comes,
// up to a byte and a time bound, before closing for good.

// Defaults of the lingering close.
const (
	DefaultDrainBytes   = 64 << 20
	DefaultDrainTimeout = 5 * time.Second
	// maxLingering bounds the connections draining at once; beyond it a
	// connection is closed at once (a reset, as without lingering).
	maxLingering = 256
)

// LingerListener wraps ln so that each accepted connection, when closed by
// the server, drains at most maxBytes of unread input for at most timeout
// first. maxBytes <= 0 disables it (ln is returned as is).
func LingerListener(ln net.Listener, maxBytes int64, timeout time.Duration) net.Listener {
	if maxBytes <= 0 {
		return ln
	}
	if timeout <= 0 {
		timeout = DefaultDrainTimeout
	}
	return &lingerListener{Listener: ln, maxBytes: maxBytes, timeout: timeout, slots: make(chan struct{}, maxLingering)}
}

type lingerListener struct {
	net.Listener
	maxBytes int64
	timeout  time.Duration
	slots    chan struct{}
}

func (l *lingerListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &lingerConn{Conn: c, l: l}, nil
}

type lingerConn struct {
	net.Conn
	l    *lingerListener
	once sync.Once
}

type halfCloser interface{ CloseWrite() error }

func (c *lingerConn) Close() error {
	err := net.ErrClosed
	c.once.Do(func() { err = c.l.linger(c.Conn) })
	return err
}

func (l *lingerListener) linger(conn net.Conn) error {
	hc, ok := conn.(halfCloser)
	if !ok {
		return conn.Close()
	}
	select {
	case l.slots <- struct{}{}:
	default:
		return conn.Close()
	}
	if err := hc.CloseWrite(); err != nil { // already gone: nothing to save
		<-l.slots
		return conn.Close()
	}
	go func() {
		defer func() { <-l.slots }()
		_ = conn.SetReadDeadline(time.Now().Add(l.timeout))
		_, _ = io.CopyN(io.Discard, conn, l.maxBytes)
		conn.Close()
	}()
	return nil
}
