// Package coverage is the scoring engine of DESIGN §5: pure, deterministic
// functions over data loaded from the database (techniques, tests, rules,
// D3FEND and control status, scope and weights), plus what is built on the
// scores: the matrix, aggregates, ranked gaps, snapshots, trends and round
// comparisons. Files built on the model live in internal/exports and
// internal/report.
package coverage

import (
	"sync"
	"time"

	"github.com/aegis-sec/aegis/collections"
)

// Data is everything the model reads. The loader fills it from SQLite; unit
// tests build it by hand. Slices are read-only once built.
type Data struct {
	Now           time.Time
	Settings      collections.ScoringSettings
	AttackVersion string
	Tactics       []Tactic
	Techniques    []Technique
	// GivenTests is the tests of a model built by hand. A loaded model keeps its
	// tests by technique instead (so that a change to one test copies one
	// technique's tests, not the organisation's): read them through
	// AllTests, TestsOf and NumTests, which see both.
	GivenTests      []Test
	Rules           []Rule
	Countermeasures []Countermeasure
	Controls        []Control
	Actors          []Actor
	Campaigns       []Campaign
	// AttackCampaigns are ATT&CK's campaigns (C0001…): found like actors
	// (FindActor, the actor filter) but not counted among them.
	AttackCampaigns []Actor
	// Assessments are detection and visibility scores kept in DeTT&CT.
	Assessments []Assessment
	// Templates are the test library's procedures linked to a technique
	// (not removed upstream): what a team can run to validate it.
	Templates []Template

	byTech map[string][]Test // technique id → its tests (a loaded model)
	nTests int               // tests in byTech
	in     interner          // while loading: the strings shared so far
	shared *sharedValues     // see Shared

	lookups   lookups // built on first use; Data must not change afterwards
	testOrder struct {
		once sync.Once
		keys []string
	}
}

// Tactic is an ATT&CK tactic in matrix order.
type Tactic struct {
	ID        string `json:"id"`
	AttackID  string `json:"attack_id"`
	Name      string `json:"name"`
	Shortname string `json:"shortname"`
	Domain    string `json:"domain"`
	Order     int    `json:"order"`
}

// Technique is an ATT&CK technique or sub-technique with the organisation's
// scope and priority.
type Technique struct {
	ID        string
	AttackID  string
	Name      string
	Domain    string
	Tactics   []string // tactic record ids
	Platforms []string
	IsSub     bool
	Parent    string // parent record id for sub-techniques
	InScope   bool
	Priority  string
	Retired   bool // revoked or deprecated: not shown, not scored
}

// Test is one validation test as far as the model cares. A loaded model
// shares the strings that repeat (names, technique, campaign and template
// ids, platform, state, outcome values) between its tests, and keeps times
// as Unix milliseconds: at 200k tests the model is a third of what it was.
type Test struct {
	ID          string
	Name        string
	Technique   string // technique record id
	Campaign    string
	Template    string
	Procedure   string // hash of the procedure text (see ProcedureKey)
	Platform    string
	State       string
	Prevention  string
	Detection   string
	ExecutedAt  Stamp
	DetectedAt  Stamp
	ValidatedAt Stamp
	Revealed    bool // false for tests of a blind campaign not yet shown to blue
	// Unconfirmed is an outcome imported from a file by someone other than a
	// blue lead or an admin, and not confirmed by one since: shown, not counted.
	Unconfirmed bool
}

// Stamp is a point in time as Unix milliseconds, 0 for none: 8 bytes where
// a time.Time takes 24. The database keeps milliseconds, so nothing is lost.
type Stamp int64

// StampOf is t as a Stamp; the zero time gives 0.
func StampOf(t time.Time) Stamp {
	if t.IsZero() {
		return 0
	}
	return Stamp(t.UnixMilli())
}

// Time is s as a UTC time; 0 gives the zero time.
func (s Stamp) Time() time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(s)).UTC()
}

// IsZero reports whether s is unset.
func (s Stamp) IsZero() bool { return s == 0 }

// Before reports whether s is earlier than o.
func (s Stamp) Before(o Stamp) bool { return s < o }

// After reports whether s is later than o.
func (s Stamp) After(o Stamp) bool { return s > o }

// Sub is the duration s − o.
func (s Stamp) Sub(o Stamp) time.Duration { return time.Duration(s-o) * time.Millisecond }

// Validated reports whether the test carries an outcome that counts.
func (t Test) Validated() bool {
	return (t.State == collections.StateValidated || t.State == collections.StateClosed) &&
		(t.Prevention != "" || t.Detection != "") && !t.Unconfirmed
}

// Rule is a detection rule with the techniques it maps to.
type Rule struct {
	ID         string
	Title      string
	Source     string
	Status     string
	Enabled    bool
	Removed    bool
	Techniques []string
}

// Countermeasure is a D3FEND technique with its status and the ATT&CK
// techniques it counters.
type Countermeasure struct {
	ID         string
	D3fendID   string
	Name       string
	Status     string // not_implemented, partial, implemented
	Techniques []string
}

// Control is a compliance control with its status and mapped techniques.
type Control struct {
	ID            string
	Framework     string // framework record id
	FrameworkName string
	ControlID     string
	Title         string
	Status        string // not_assessed, not_implemented, planned, partial, implemented
	Techniques    []string
}

// Assessment is one DeTT&CT score of a technique for a group of systems:
// detection -1..5 or visibility 0..4, with the date of its current value.
type Assessment struct {
	ID           string
	Technique    string
	Kind         string // detection, visibility
	ApplicableTo string
	Score        int
	ScoredAt     string
	Comment      string
}

// Template is a test library procedure of a technique.
type Template struct {
	ID        string
	Name      string
	Source    string // atomic, caldera, manual
	Technique string
}

// Actor is a threat actor with the techniques it uses.
type Actor struct {
	ID         string
	AttackID   string
	Name       string
	Techniques []string
}

// Campaign is a validation campaign.
type Campaign struct {
	ID     string
	Name   string
	Status string
	Actor  string
	Round  int
	Parent string
}
