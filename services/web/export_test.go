package web

// Catalogue is the pages' texts by language, for the test that every page
// speaks one language only.
var Catalogue = catalogue
