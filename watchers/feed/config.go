package feed

import "fmt"

// DefaultMaxItems is how many items of one feed a poll keeps when
// Options.MaxItems is zero. Real feeds carry 10-100 items; the cap only
// matters for feeds that dump their whole archive.
const DefaultMaxItems = 500

// Options configures a Watcher. The zero value is ready to use.
type Options struct {
	// MaxItems caps the posts taken from one feed in one poll; the newest
	// are kept. Zero means DefaultMaxItems.
	MaxItems int
}

// Validate reports options that make no sense.
func (o Options) Validate() error {
	if o.MaxItems < 0 {
		return fmt.Errorf("feed: max_items %d must not be negative", o.MaxItems)
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.MaxItems <= 0 {
		o.MaxItems = DefaultMaxItems
	}
	return o
}
