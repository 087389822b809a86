package mid_test

import (
	"testing"

	"github.com/garagesale/service/business/sdk/dbtest"
)

// BenchmarkAuthMiddleware runs against a real database.
func TestMain(m *testing.M) { dbtest.Main(m) }
