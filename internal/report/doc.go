// Package report builds the executive report from the coverage model and the
// database: its content (headline, tactics, heatmap, ranked gaps, trend,
// campaigns, findings), rendered as a self-contained HTML page and as a PDF,
// and the dashboard metrics it draws on (ComputeMetrics: work in flight,
// outcomes, detection rate, freshness, time to detect, rules, findings).
package report
