// Package alerts is Lookout's domain: posts seen on social platforms, the
// watches that look for them, the alerts a team triages, mutes, routes,
// escalation policies and the audit trail, together with the triage service
// that applies every state change.
//
// The package imports only the standard library. Storage, chat platforms and
// social platforms are adapters that depend on it, never the reverse: the
// interfaces they implement (Store, Notifier, Matcher) are declared here, by
// their consumer.
package alerts
