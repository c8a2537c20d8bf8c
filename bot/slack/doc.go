// Package slack is Lookout's Slack adapter: it renders alert cards as
// Block Kit, posts and edits them for the outbox (alerts.Notifier), and
// receives /lookout commands and button clicks over Socket Mode or signed
// HTTP requests, handing them to the platform-neutral bot.Handler.
//
// Slack's Web API is reached through slack-go with a plain HTTP client
// that never retries: the outbox owns retries, and a retried
// chat.postMessage could post a card twice.
//
// API references:
//   - Block Kit limits: https://docs.slack.dev/reference/block-kit/blocks
//   - Formatting and escaping: https://docs.slack.dev/messaging/formatting-message-text
//   - Request signing: https://docs.slack.dev/authentication/verifying-requests-from-slack
//   - Socket Mode: https://docs.slack.dev/apis/events-api/using-socket-mode
//   - Rate limits: https://docs.slack.dev/apis/web-api/rate-limits
package slack
