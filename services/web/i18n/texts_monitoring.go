package i18n

// monitoringTexts are housing's part of the monitoring officer's page.
var monitoringTexts = map[string]map[string]string{
	"it": {
		"monitoring.housing.title":                    "Abitare",
		"monitoring.housing.intro":                    "La situazione di oggi in tutta la rete, dal servizio dell'abitare: non dipende dal periodo né dal raggruppamento scelti. Le celle con meno di %d persone non sono mostrate.",
		"monitoring.housing.export":                   "Scarica l'abitare in CSV",
		"monitoring.housing.none":                     "Il servizio dell'abitare non ha ancora dati.",
		"monitoring.housing.people":                   "Persone",
		"monitoring.housing.days":                     "Giorni (mediana)",
		"monitoring.housing.caption.housed_now":       "Persone accolte oggi, per tipo di accoglienza",
		"monitoring.housing.caption.exits":            "Uscite dal percorso abitativo, per destinazione",
		"monitoring.housing.caption.median_stay_days": "Durata mediana delle accoglienze concluse, per tipo",
		"monitoring.housing.group.housed_now":         "Tipo di accoglienza",
		"monitoring.housing.group.exits":              "Destinazione",
		"monitoring.housing.group.median_stay_days":   "Tipo di accoglienza",
		"monitoring.housing.chart_desc":               "%s; le celle con meno di %d persone non sono mostrate. Le cifre sono nella tabella.",
		"unavailable.housing_indicators":              "Il servizio dell'abitare non risponde in questo momento: i suoi indicatori non sono disponibili. Il resto della pagina funziona; riprova tra poco.",
		// Housing's exits may lead to a shelter, though the exit form
		// does not offer one.
		"dest.emergency_shelter": "Pronta accoglienza",
		"dest.protected_shelter": "Casa rifugio",
	},
	"en": {
		"monitoring.housing.title":                    "Housing",
		"monitoring.housing.intro":                    "Today's situation across the whole network, from the housing service: it does not depend on the period or the grouping chosen. Cells of fewer than %d people are not shown.",
		"monitoring.housing.export":                   "Download housing as CSV",
		"monitoring.housing.none":                     "The housing service has no data yet.",
		"monitoring.housing.people":                   "People",
		"monitoring.housing.days":                     "Days (median)",
		"monitoring.housing.caption.housed_now":       "People accommodated today, by kind of accommodation",
		"monitoring.housing.caption.exits":            "Exits from the housing pathway, by destination",
		"monitoring.housing.caption.median_stay_days": "Median length of the stays ended, by kind",
		"monitoring.housing.group.housed_now":         "Kind of accommodation",
		"monitoring.housing.group.exits":              "Destination",
		"monitoring.housing.group.median_stay_days":   "Kind of accommodation",
		"monitoring.housing.chart_desc":               "%s; cells of fewer than %d people are not shown. The figures are in the table.",
		"unavailable.housing_indicators":              "The housing service is not answering right now: its indicators are unavailable. The rest of the page works; try again shortly.",
		"dest.emergency_shelter":                      "Emergency shelter",
		"dest.protected_shelter":                      "Protected shelter",
	},
}
