// Package buildinfo holds the version and commit a binary was built from,
// set by the image build with -ldflags "-X ...", so that logs, metrics and
// incident reports say exactly what was running.
package buildinfo

import "github.com/prometheus/client_golang/prometheus"

// Set at build time; "dev" in a plain `go build`.
var (
	Version = "dev"
	Commit  = "unknown"
)

// Collector exports percorsi_build_info{version,commit} = 1.
func Collector() prometheus.Collector {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "percorsi_build_info",
		Help:        "Version and commit of the running binary.",
		ConstLabels: prometheus.Labels{"version": Version, "commit": Commit},
	})
	g.Set(1)
	return g
}
