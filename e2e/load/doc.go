// Package load drives a running Percorsi as its users would, at national
// size: it generates a population (people in pathways across a dozen
// organisations, CPIA classes with a school year of lessons, job seekers,
// vacancies, accommodations), seeds it, and then has teachers record
// registers at the morning peak, counsellors rank candidates and start
// placements, employers confirm them through their links, housing workers
// start housing steps and case workers open pathway pages, all through the
// public HTTP APIs. It keeps a Ledger of what the system acknowledged, to
// measure freshness (acknowledgement to the person's timeline) and to
// check that every acknowledged fact reached the pathway exactly once, and
// measures the raw limits of the store, the broker and net/http in the same
// run, so that every figure is also a ratio to its limit.
//
// The command is e2e/load/cmd/percorsi-load (`make bench`).
package load
