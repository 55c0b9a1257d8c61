package web

import (
	"html/template"
	"strings"
)

// formFuncs are what the templates of the case worker's and the
// monitoring officer's forms and charts call.
var formFuncs = template.FuncMap{
	"add":      func(a, b float64) float64 { return a + b },
	"sub":      func(a, b float64) float64 { return a - b },
	"add1":     func(i int) int { return i + 1 },
	"join":     strings.Join,
	"fieldOf":  fieldOf,
	"selectOf": selectOf,
}

// inputField is one input of a form, laid out by the "field" template.
type inputField struct {
	Name, Label, Value, Error, Hint, Type, Autocomplete, Prefix string
	Required                                                    bool
}

// fieldOf lays out the input name of a form: its label and hint are
// catalogue keys ("" for no hint), errs holds the form's errors. opts
// are the input's type (text when none) and then "required" or an
// autocomplete token.
func fieldOf(p *page, name, labelKey, value string, errs fieldErrors, hintKey string, opts ...string) inputField {
	f := inputField{Name: name, Label: p.T(labelKey), Value: value, Error: errs[name], Type: "text", Prefix: p.T("form.error_prefix")}
	if hintKey != "" {
		f.Hint = p.T(hintKey)
	}
	for i, o := range opts {
		switch {
		case i == 0:
			f.Type = o
		case o == "required":
			f.Required = true
		default:
			f.Autocomplete = o
		}
	}
	return f
}

// selectField is a choice among options, laid out by the "select" template.
type selectField struct {
	Name, Label, Value, Error, Choose, Prefix string
	Options                                   []option
}

func selectOf(p *page, name, labelKey, value string, errs fieldErrors, options []option) selectField {
	return selectField{Name: name, Label: p.T(labelKey), Value: value, Error: errs[name], Choose: p.T("intake.choose"), Prefix: p.T("form.error_prefix"), Options: options}
}
