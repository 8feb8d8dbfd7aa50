package main

import (
	"fmt"
	"os"
)

// runServe is owned by the API work; placeholder until it lands.
func runServe(args []string) int {
	fmt.Fprintln(os.Stderr, "serve: not built yet")
	return 1
}
