package collections

// ScoringSettings holds the coverage model's tunables (DESIGN §5).
type ScoringSettings struct {
	WeightValidation float64 `json:"weight_validation"`
	WeightRules      float64 `json:"weight_rules"`
	WeightMitigation float64 `json:"weight_mitigation"`
	// WeightDettect weighs component D, the detection and visibility scores
	// imported from DeTT&CT (small by default; negative turns it off).
	WeightDettect float64            `json:"weight_dettect"`
	HalfLifeDays  float64            `json:"half_life_days"`
	FreshDays     float64            `json:"fresh_days"`
	Prevention    map[string]float64 `json:"prevention"`
	Detection     map[string]float64 `json:"detection"`
	RuleStatus    map[string]float64 `json:"rule_status"`
	LevelLow      float64            `json:"level_low"`
	LevelGood     float64            `json:"level_good"`
	ValidatedV    float64            `json:"validated_v"`
}

// DefaultScoring returns the defaults of DESIGN §5.
func DefaultScoring() ScoringSettings {
	return ScoringSettings{
		WeightValidation: 0.6, WeightRules: 0.25, WeightMitigation: 0.15, WeightDettect: 0.05,
		HalfLifeDays: 180, FreshDays: 90,
		Prevention: map[string]float64{"blocked": 1.0, "partial": 0.6, "not_blocked": 0},
		Detection:  map[string]float64{"technique": 0.9, "tactic": 0.8, "general": 0.6, "telemetry": 0.3, "none": 0},
		RuleStatus: map[string]float64{"stable": 1.0, "production": 1.0, "test": 0.75, "experimental": 0.5,
			"deprecated": 0.25, "unsupported": 0.25},
		LevelLow: 30, LevelGood: 70, ValidatedV: 0.85,
	}
}

// EvidencePolicy limits what may be uploaded as evidence.
type EvidencePolicy struct {
	MaxBytes     int64    `json:"max_bytes"`
	AllowedMimes []string `json:"allowed_mimes"`
}

// DefaultEvidencePolicy allows the files purple teams actually collect:
// captures, logs, screenshots, documents and archives, up to 1 GiB.
func DefaultEvidencePolicy() EvidencePolicy {
	return EvidencePolicy{
		MaxBytes: 1 << 30,
		AllowedMimes: []string{
			"text/plain", "text/csv", "text/html", "application/json", "application/xml", "text/xml",
			"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml",
			"application/pdf", "application/zip", "application/gzip", "application/x-tar",
			"application/vnd.tcpdump.pcap", "application/octet-stream", "application/x-7z-compressed",
			"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
			"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			"video/mp4", "video/webm",
		},
	}
}
