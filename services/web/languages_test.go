package web_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"html"
	"io"
	"maps"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/percorsi/percorsi/services/web/i18n"
)

// pageRoutes reads the GET routes web registers from its own source, so
// that a new page is in TestEveryPageInEachLanguage without a word here.
func pageRoutes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
				return true
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if route, err := strconv.Unquote(lit.Value); err == nil && strings.HasPrefix(route, "GET /") {
					seen[route] = true
				}
			}
			return true
		})
	}
	routes := slices.Sorted(maps.Keys(seen))
	if len(routes) < 20 {
		t.Fatalf("found only %d GET routes in web's source: %v", len(routes), routes)
	}
	return routes
}

// notPages answer no page of their own: files, downloads, and the
// external sign-in, which the test rig has no provider for.
var notPages = map[string]bool{
	"GET /static/{file}": true, "GET /monitoring/export": true, "GET /monitoring/housing/export": true,
	"GET /signin/oidc": true, "GET /signin/oidc/callback": true,
}

// pathIDs are the ids the fakes know, by the path segment before {id};
// the query is what the open-by-code forms and the employer's link carry,
// and the other pages ignore.
var (
	pathIDs = map[string][]string{
		"lessons": {"lez-1", "tr-1"}, "classes": {"cl-1"}, "editions": {"ed-1"},
		"vacancies": {"vac-1"}, "placements": {"pl-1"}, "employer-links": {"pl-1"},
	}
	pageQuery = "?id=lez-1&pseudonym=ps-a&token=tok-1"
)

// fakeData are texts the fakes send, as the services do, that a
// catalogue has too: the services' data, not a missing translation.
var fakeData = []string{
	"Casa rifugio Aurora", // an accommodation's name
}

// TestEveryPageInEachLanguage opens every GET route of web as each role
// (and signed out) in each language: every HTML page answered says its
// language, shows no text of the other language's catalogue, no
// catalogue key left untranslated and no broken format; and every route
// but the few that are not pages answers a page for someone.
func TestEveryPageInEachLanguage(t *testing.T) {
	r := start(t)
	routes := pageRoutes(t)
	users := []string{"", "maria.rossi", "franco.marino", "giulia.bianchi", "elena.ferri", "marta.gallo", "gino.esposito", "sofia.ricci"}
	keyLike := keyPattern()
	for _, lang := range []string{"it", "en"} {
		t.Run(lang, func(t *testing.T) {
			foreign := foreignTexts(lang)
			browsers := map[string]*browser{}
			for _, u := range users {
				b := r.browser(t)
				b.get("/lang/" + lang)
				if u != "" {
					b.signIn(u)
				}
				browsers[u] = b
			}
			for _, route := range routes {
				if notPages[route] {
					continue
				}
				_, path, _ := strings.Cut(route, " ")
				paths := []string{strings.NewReplacer("{pseudonym}", "ps-a", "{lang}", lang, "{$}", "").Replace(path)}
				if before, _, ok := strings.Cut(paths[0], "/{id}"); ok {
					ids := pathIDs[before[strings.LastIndex(before, "/")+1:]]
					if ids == nil {
						t.Errorf("%s: no id known for it: add one the fakes know to pathIDs", route)
						continue
					}
					paths = paths[:0]
					for _, id := range ids {
						paths = append(paths, strings.Replace(path, "{id}", id, 1))
					}
				}
				shown := false
			tries:
				for _, u := range users {
					for _, p := range paths {
						resp, err := browsers[u].c.Get(r.url + p + pageQuery)
						if err != nil {
							t.Fatal(err)
						}
						body, err := readAll(resp)
						if err != nil {
							t.Fatal(err)
						}
						if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
							continue
						}
						at := resp.Request.URL.Path
						checkLanguage(t, route+" as "+orSignedOut(u)+" at "+at, lang, body, foreign, keyLike)
						// The sign-in page stands for the others when signed out.
						if resp.StatusCode == http.StatusOK && (at != "/signin" || path == "/signin") {
							shown = true
							break tries
						}
					}
				}
				if !shown {
					t.Errorf("%s: no role answered a page (if it is not one, add it to notPages)", route)
				}
			}
		})
	}
}

func orSignedOut(user string) string {
	if user == "" {
		return "signed out"
	}
	return user
}

func readAll(resp *http.Response) (string, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// checkLanguage checks one page in lang.
func checkLanguage(t *testing.T, where, lang, page string, foreign []string, keyLike *regexp.Regexp) {
	t.Helper()
	if !strings.Contains(page, `<html lang="`+lang+`">`) {
		t.Errorf("%s: the page does not say lang=%q", where, lang)
	}
	text := visible(page)
	for _, d := range fakeData {
		text = strings.ReplaceAll(text, d, "")
	}
	if strings.Contains(text, "%!") {
		t.Errorf("%s: a text's format is broken near %q", where, around(text, strings.Index(text, "%!")))
	}
	if loc := keyLike.FindStringIndex(text); loc != nil {
		t.Errorf("%s: a catalogue key is shown untranslated: %q", where, text[loc[0]:loc[1]])
	}
	for _, part := range foreign {
		if i := wordIndex(text, part); i >= 0 {
			t.Errorf("%s: text of the other language: %q in %q", where, part, around(text, i))
		}
	}
}

var (
	markup = regexp.MustCompile(`(?s)<[^>]*>`)
	spoken = regexp.MustCompile(`\b(?:title|aria-label|placeholder|alt)="([^"]*)"`)
)

// visible is the page's text as people see or hear it: the text between
// tags, and the attributes read out.
func visible(page string) string {
	var b strings.Builder
	for _, m := range spoken.FindAllStringSubmatch(page, -1) {
		b.WriteString(m[1] + "\n")
	}
	b.WriteString(markup.ReplaceAllString(page, "\n"))
	return html.UnescapeString(b.String())
}

func around(s string, i int) string {
	return s[max(0, i-40):min(len(s), i+60)]
}

// keyPattern matches what a missing key shows: the key itself, which
// starts with one of the catalogue's prefixes.
func keyPattern() *regexp.Regexp {
	prefixes := map[string]bool{}
	for key := range i18n.Texts("it") {
		p, _, _ := strings.Cut(key, ".")
		prefixes[regexp.QuoteMeta(p)] = true
	}
	var alt []string
	for p := range prefixes {
		alt = append(alt, p)
	}
	sort.Strings(alt)
	return regexp.MustCompile(`\b(?:` + strings.Join(alt, "|") + `)\.[a-z0-9_]+(?:\.[a-z0-9_]+)*\b`)
}

// verbs splits a catalogue text where its arguments go.
var verbs = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

// foreignTexts are the texts of the other language's catalogue that lang
// translates differently: each part between arguments of four letters or
// more, and not a text lang uses itself.
func foreignTexts(lang string) []string {
	other := "en"
	if lang == "en" {
		other = "it"
	}
	mine, others := i18n.Texts(lang), i18n.Texts(other)
	own := strings.Join(slices.Collect(maps.Values(mine)), "\n")
	seen := map[string]bool{}
	var out []string
	for key, text := range others {
		if mine[key] == text {
			continue
		}
		for _, part := range verbs.Split(text, -1) {
			part = strings.TrimFunc(part, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
			if len([]rune(part)) < 4 || seen[part] || wordIndex(own, part) >= 0 {
				continue
			}
			seen[part] = true
			out = append(out, part)
		}
	}
	sort.Strings(out)
	return out
}

// wordIndex is where part is in s as whole words, or -1.
func wordIndex(s, part string) int {
	for from := 0; ; {
		i := strings.Index(s[from:], part)
		if i < 0 {
			return -1
		}
		i += from
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[i+len(part):])
		if !isWord(before) && !isWord(after) {
			return i
		}
		from = i + 1
	}
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
