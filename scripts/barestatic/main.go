// Command barestatic is the load script's baseline: a Fiber app with no
// middleware and one static route, so scripts/loadtest.sh can report the
// atlas's routes as ratios to what Fiber itself costs on the same machine
// in the same run (the machines are shared; absolute req/s drift).
package main

import (
	"flag"
	"log"

	"github.com/gofiber/fiber/v2"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "listen address")
	flag.Parse()
	// A body the size of a small /locate answer, sent as is.
	body := []byte(`{"type":"FeatureCollection","numberReturned":0,"features":[],"note":"bare Fiber static route, no middleware"}`)
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/static", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "application/json")
		return c.Send(body)
	})
	log.Fatal(app.Listen(*addr))
}
