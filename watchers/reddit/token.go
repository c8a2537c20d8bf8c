package reddit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/httpx"
)

// refreshMargin is how long before its expiry a token is replaced, so a
// request never leaves with a token that expires on the way.
const refreshMargin = 5 * time.Minute

// tokenSource gets and caches an application-only OAuth token: POST
// /api/v1/access_token with grant_type=client_credentials and the app's
// id and secret as Basic auth
// (https://github.com/reddit-archive/reddit/wiki/OAuth2#application-only-oauth).
// Tokens last 24 hours; a new one is fetched refreshMargin before expiry,
// or at once after a 401.
type tokenSource struct {
	client doer
	opts   *Options

	mu     sync.Mutex
	token  string
	expiry time.Time
}

// tokenResponse is the token endpoint's body. Reddit answers some
// failures with 200 and an "error" field.
type tokenResponse struct {
	AccessToken string  `json:"access_token"`
	TokenType   string  `json:"token_type"`
	ExpiresIn   float64 `json:"expires_in"`
	Error       any     `json:"error"`
}

// get returns a valid token, fetching one if the cached one is missing or
// about to expire.
func (s *tokenSource) get(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	if s.token != "" && now.Before(s.expiry) {
		return s.token, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.opts.BaseURL+"/api/v1/access_token",
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	if err != nil {
		return "", fmt.Errorf("reddit token: %w", err)
	}
	req.SetBasicAuth(s.opts.ClientID, s.opts.ClientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", s.opts.UserAgent)
	resp, err := s.client.Do(ctx, req)
	if err != nil {
		var se *httpx.StatusError
		if errors.As(err, &se) && (se.Status == http.StatusUnauthorized || se.Status == http.StatusForbidden) {
			return "", fmt.Errorf("reddit token: %w: Reddit refused the app credentials (check [sources.reddit] client_id and client_secret, and that the app is approved): %w", alerts.ErrPermanent, err)
		}
		if errors.As(err, &se) && se.RetryAfter > 0 {
			return "", &alerts.RetryAfterError{After: se.RetryAfter, Err: fmt.Errorf("reddit token: %w", err)}
		}
		return "", fmt.Errorf("reddit token: %w", err)
	}
	var tr tokenResponse
	if err := json.Unmarshal(resp.Body, &tr); err != nil {
		return "", fmt.Errorf("reddit token: decode response: %w", err)
	}
	if tr.Error != nil || tr.AccessToken == "" || !strings.EqualFold(tr.TokenType, "bearer") {
		return "", fmt.Errorf("reddit token: %w: Reddit refused the app credentials (error %v); check [sources.reddit] client_id and client_secret", alerts.ErrPermanent, tr.Error)
	}
	life := time.Duration(tr.ExpiresIn * float64(time.Second))
	if life <= 0 {
		life = time.Hour
	}
	s.token = tr.AccessToken
	s.expiry = now.Add(life - min(refreshMargin, life/10))
	return s.token, nil
}

// invalidate drops token if it is still the cached one (after a 401).
func (s *tokenSource) invalidate(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token == token {
		s.token = ""
	}
}
