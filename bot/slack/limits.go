package slack

import "time"

// Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks and
// the element reference pages). slack-go enforces almost none of them, so
// every rendered message is cut to fit here, with a visible mark.
const (
	maxBlocks         = 50
	maxSectionText    = 3000
	maxHeaderText     = 150
	maxButtonText     = 75
	maxButtonValue    = 2000
	maxOptionText     = 75
	maxOptionValue    = 150
	maxContextItems   = 10
	maxOverflowOption = 5
	// maxFallbackText bounds the top-level text: it is what notifications
	// show, and Slack recommends staying under 4,000 characters.
	maxFallbackText = 300
)

// truncMark ends any text cut to fit a limit, so readers see it is cut.
const truncMark = "… [truncated]"

// Timeouts and defaults.
const (
	// defaultAPITimeout bounds one Web API call.
	defaultAPITimeout = 15 * time.Second
	// defaultRetryAfter is the wait used for a 429 that names none, as
	// free workspaces send for message_limit_exceeded.
	defaultRetryAfter = 30 * time.Second
	// ackTimeout bounds a Socket Mode ack; Slack wants it within 3 s.
	ackTimeout = 2 * time.Second
	// defaultWorkTimeout bounds the work done for one command or click
	// after it was acknowledged (a response_url lasts 30 minutes).
	defaultWorkTimeout = 2 * time.Minute
	// signatureWindow is how far a request timestamp may be from now.
	signatureWindow = 5 * time.Minute
	// defaultMaxBody bounds inbound request bodies; Slack's payloads are
	// a few kilobytes.
	defaultMaxBody = 256 << 10
	// groupCacheTTL is how long user group memberships are cached.
	groupCacheTTL = 5 * time.Minute
)
