package main

import (
	"fmt"
	"os"
)

func runBuild(args []string) int {
	fmt.Fprintln(os.Stderr, "build: not built yet")
	return 1
}

func runCheck(args []string) int {
	fmt.Fprintln(os.Stderr, "check: not built yet")
	return 1
}
