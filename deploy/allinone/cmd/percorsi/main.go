// Command percorsi runs the whole of Percorsi in one process on the
// embedded Kafka and MongoDB, with demo data: `make run`.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/percorsi/percorsi/deploy/allinone"
	"github.com/percorsi/percorsi/pkg/tracectx"
)

func main() {
	cfg := allinone.Config{Demo: true}
	flag.StringVar(&cfg.Dir, "data", "var/dev", "directory for the embedded stack's data, the signing key and demo tokens")
	flag.StringVar(&cfg.Host, "host", "127.0.0.1", "interface to listen on")
	flag.IntVar(&cfg.KafkaPort, "kafka-port", 19092, "embedded Kafka port")
	flag.IntVar(&cfg.MongoPort, "mongo-port", 27027, "embedded MongoDB port")
	flag.IntVar(&cfg.CoursesPort, "courses-port", 8081, "courses API port")
	flag.IntVar(&cfg.TrainingPort, "training-port", 8082, "training API port")
	flag.IntVar(&cfg.PathwayPort, "pathway-port", 8085, "pathway API port")
	flag.IntVar(&cfg.HousingPort, "housing-port", 8084, "housing API port")
	flag.IntVar(&cfg.JobsPort, "jobs-port", 8083, "jobs API port")
	flag.IntVar(&cfg.WebPort, "web-port", 8080, "port of the pages people use")
	level := flag.String("log-level", "info", "debug, info, warn or error")
	flag.Parse()

	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintln(os.Stderr, "percorsi: -log-level:", err)
		os.Exit(2)
	}
	cfg.Logger = slog.New(tracectx.LogHandler(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl})))
	if err := run(cfg); err != nil {
		cfg.Logger.Error("percorsi stopped", "err", err)
		os.Exit(1)
	}
}

func run(cfg allinone.Config) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	shutdown, err := tracectx.Setup(ctx, "percorsi")
	if err != nil {
		return err
	}
	defer func() { _ = shutdown(context.WithoutCancel(ctx)) }()
	sys, err := allinone.Start(ctx, cfg)
	if err != nil {
		return err
	}
	printWelcome(sys, cfg.Dir)
	<-ctx.Done()
	fmt.Println("\nPercorsi: stopping…")
	return sys.Close()
}

func printWelcome(sys *allinone.System, dir string) {
	d := sys.Demo
	fmt.Printf(`
Percorsi is running: open %s and sign in.

  as maria.rossi (teacher), open the lesson %s and mark its register;
  then as giulia.bianchi (case worker), open the person %s: today's lesson is on the timeline.
  Every demo user's password is %q.
`, sys.WebURL, d.TodayLessonID, d.People[0].Pseudonym, allinone.DemoPassword)
	fmt.Printf(`
It runs on the embedded Kafka (%s) and MongoDB (%s).

  courses API    %s   (OpenAPI: %[3]s/openapi.yaml; gRPC: %[9]s)
  pathway API    %s   (OpenAPI: %[4]s/openapi.yaml; gRPC: %[10]s)
  housing API    %s   (OpenAPI: %[5]s/openapi.yaml; gRPC: %[11]s)
  jobs API       %s   (OpenAPI: %[6]s/openapi.yaml; gRPC: %[12]s)
  training API   %s   (OpenAPI: %[7]s/openapi.yaml; gRPC: %[13]s)

Demo users (tokens in %[8]s):
`, sys.Stack.KafkaBrokers()[0], sys.Stack.MongoURI(), sys.CoursesURL, sys.PathwayURL, sys.HousingURL, sys.JobsURL, sys.TrainingURL, filepath.Join(dir, "tokens"),
		sys.GRPCAddrs["courses"], sys.GRPCAddrs["pathway"], sys.GRPCAddrs["housing"], sys.GRPCAddrs["jobs"], sys.GRPCAddrs["training"])
	names := make([]string, 0, len(d.Users))
	for n := range d.Users {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		u := d.Users[n]
		fmt.Printf("  %-15s %-12s %s\n", n, u.Role, u.Organisation)
	}
	fmt.Printf(`
Today's lesson of class %s: %s (started an hour ago, register open).
Mark it as teacher maria.rossi, then read Amina K.'s timeline as case worker giulia.bianchi:

  curl -X PUT %s/v1/lessons/%s/register \
    -H "Authorization: Bearer $(cat %s/tokens/maria.rossi)" \
    -d '{"marks":[%s]}'

  curl -H "Authorization: Bearer $(cat %s/tokens/giulia.bianchi)" %s/v1/persons/%s/timeline
`, d.ClassID, d.TodayLessonID, sys.CoursesURL, d.TodayLessonID, dir, demoMarksJSON(d), dir, sys.PathwayURL, d.People[0].Pseudonym)
	fmt.Printf(`
Housing: the free places of the network, then the offers that fit Amina K., as housing worker marta.gallo:

  curl -H "Authorization: Bearer $(cat %[1]s/tokens/marta.gallo)" %[2]s/v1/availability
  curl -H "Authorization: Bearer $(cat %[1]s/tokens/marta.gallo)" %[2]s/v1/persons/%[3]s/offer-matches
`, dir, sys.HousingURL, d.People[0].Pseudonym)
	fmt.Printf(`
Jobs: the candidates ranked for Trattoria da Gino's tirocinio, with every reason, as counsellor elena.ferri:

  curl -H "Authorization: Bearer $(cat %[1]s/tokens/elena.ferri)" %[2]s/v1/vacancies/%[3]s/candidates
`, dir, sys.JobsURL, d.Jobs.CookVacancyID)
	if d.Jobs.EmployerLink != "" {
		fmt.Printf(`
The employer confirms Amina K.'s start through its single-use link (no account):

  curl '%[1]s%[2]s'
  curl -X POST %[1]s/v1/employer-links/%[3]s -d '{"token":"%[4]s","on":"%[5]s","weekly_hours":30}'
`, sys.JobsURL, d.Jobs.EmployerLink, d.Jobs.PlacementID, tokenOf(d.Jobs.EmployerLink), time.Now().UTC().Format(time.DateOnly))
	}
	fmt.Printf(`
Training: the kitchen-assistant edition (Lazio repertoire, EQF 3) with each person's hours and exam
admission, and its roster for the secretariat, as trainer franco.marino:

  curl -H "Authorization: Bearer $(cat %[1]s/tokens/franco.marino)" %[2]s/v1/editions/%[3]s
  curl -H "Authorization: Bearer $(cat %[1]s/tokens/franco.marino)" %[2]s/v1/editions/%[3]s/roster.csv
`, dir, sys.TrainingURL, d.Training.EditionID)
	fmt.Printf("\nPress Ctrl-C to stop; data stays in %s.\n", dir)
}

// tokenOf returns the token of an employer link; "" once it was used.
func tokenOf(link string) string {
	_, token, _ := strings.Cut(link, "?token=")
	return token
}

func demoMarksJSON(d *allinone.Demo) string {
	out := ""
	for i, p := range d.People {
		if i > 0 {
			out += ","
		}
		status := `"status":"present"`
		switch i {
		case 1:
			status = `"status":"late","minutes":90`
		case 2:
			status = `"status":"absent"`
		}
		out += fmt.Sprintf(`{"person":"%s",%s}`, p.Pseudonym, status)
	}
	return out
}
