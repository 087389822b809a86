package main

import (
	"testing"

	"github.com/garagesale/service/foundation/settings"
)

// TestEverySettingIsDescribed: --help describes every setting in full.
func TestEverySettingIsDescribed(t *testing.T) {
	for _, p := range settings.Problems(&Config{}) {
		t.Error(p)
	}
}
