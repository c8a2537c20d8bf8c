package mastodon

import "encoding/json"

// Wire types: the parts of Mastodon's entities Lookout reads.
// https://docs.joinmastodon.org/entities/Status/ and
// https://docs.joinmastodon.org/entities/Account/

// account is a Mastodon Account.
type account struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	Acct        string `json:"acct"` // "user" when local to the serving instance
	URL         string `json:"url"`
	URI         string `json:"uri"` // ActivityPub actor, 4.2+
	DisplayName string `json:"display_name"`
}

// status is a Mastodon Status. Reblog and the quoted status are pointers
// so a hostile nesting depth is bounded by encoding/json's own limit.
type status struct {
	ID                 string            `json:"id"`
	URI                string            `json:"uri"`
	URL                *string           `json:"url"`
	CreatedAt          string            `json:"created_at"`
	EditedAt           *string           `json:"edited_at"`
	Account            *account          `json:"account"`
	Content            string            `json:"content"`
	SpoilerText        string            `json:"spoiler_text"`
	Language           *string           `json:"language"`
	Visibility         string            `json:"visibility"`
	InReplyToID        *string           `json:"in_reply_to_id"`
	InReplyToAccountID *string           `json:"in_reply_to_account_id"`
	Reblog             *status           `json:"reblog"`
	Quote              *quote            `json:"quote"`
	MediaAttachments   []mediaAttachment `json:"media_attachments"`
	Tags               []tag             `json:"tags"`
}

// quote is a 4.4+ Quote: the quoted status is shown only when accepted.
// https://docs.joinmastodon.org/entities/Quote/
type quote struct {
	State        string  `json:"state"`
	QuotedStatus *status `json:"quoted_status"`
}

// mediaAttachment is a MediaAttachment.
type mediaAttachment struct {
	Type        string  `json:"type"` // image, gifv, video, audio, unknown
	URL         *string `json:"url"`
	RemoteURL   *string `json:"remote_url"`
	Description *string `json:"description"`
}

type tag struct {
	Name string `json:"name"`
}

// decodeStatuses decodes a page of statuses, keeping each one's raw JSON
// as evidence. A page that is not a JSON array of objects is an error.
func decodeStatuses(body []byte) ([]status, []json.RawMessage, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(body, &raws); err != nil {
		return nil, nil, err
	}
	out := make([]status, len(raws))
	for i, raw := range raws {
		if err := json.Unmarshal(raw, &out[i]); err != nil {
			return nil, nil, err
		}
		if out[i].ID == "" {
			return nil, nil, errMissing("status id", i)
		}
		if out[i].Account == nil {
			return nil, nil, errMissing("status account", i)
		}
		if out[i].Reblog != nil && out[i].Reblog.Account == nil {
			return nil, nil, errMissing("reblogged status account", i)
		}
	}
	return out, raws, nil
}

// decodeAccount decodes an Account; it must have an id.
func decodeAccount(body []byte) (*account, error) {
	var a account
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, err
	}
	if a.ID == "" {
		return nil, errMissing("account id", 0)
	}
	return &a, nil
}
