package jobs_test

import (
	"runtime"
	"time"
)

// yieldBriefly yields while a test polls the database for a state the
// background workers reach; the tick keeps the loop from spinning hot.
func yieldBriefly() {
	runtime.Gosched()
	<-time.After(5 * time.Millisecond)
}
