// Package services_test checks the architecture's one-way dependencies: a
// service never imports another service, and shared packages never import
// a service.
package services_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/percorsi/percorsi/"

func TestImportBoundaries(t *testing.T) {
	t.Parallel()
	root := ".."
	services, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range services {
		if s.IsDir() {
			checkTree(t, filepath.Join(root, "services", s.Name()), func(imp string) bool {
				other, ok := strings.CutPrefix(imp, module+"services/")
				return ok && strings.SplitN(other, "/", 2)[0] != s.Name()
			})
		}
	}
	checkTree(t, filepath.Join(root, "pkg"), func(imp string) bool {
		return strings.HasPrefix(imp, module+"services/") || strings.HasPrefix(imp, module+"deploy/")
	})
	checkTree(t, filepath.Join(root, "proto"), func(imp string) bool {
		return strings.HasPrefix(imp, module) && !strings.HasPrefix(imp, module+"proto/")
	})
}

// checkTree fails the test for every import under dir that forbidden
// reports.
func checkTree(t *testing.T, dir string, forbidden func(string) bool) {
	t.Helper()
	fset := token.NewFileSet()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if forbidden(p) {
				t.Errorf("%s imports %s, across an architectural boundary", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
