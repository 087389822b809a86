package supervisor

import "time"

// SetBuildProgress makes the fleet log say a build still runs every d,
// for a test; restore puts the interval back.
func SetBuildProgress(d time.Duration) (restore func()) {
	old := buildProgress
	buildProgress = d
	return func() { buildProgress = old }
}
