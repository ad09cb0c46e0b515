// Package exports writes what leaves Aegis as files, built on the coverage
// model: the CSV/JSON datasets (techniques, tests, rules, controls, actors,
// audit, VECTR), streamed page by page with spreadsheet-safe cells; the
// ATT&CK Navigator layers (coverage, actor, campaign and delta layers,
// built and validated by importers/navigator); and the heatmap as SVG and
// PNG.
package exports
