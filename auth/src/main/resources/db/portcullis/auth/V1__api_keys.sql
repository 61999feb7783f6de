-- API keys: only the peppered HMAC of a key is kept, never the key.
-- Portable between H2 and PostgreSQL: hashes as hex text, lists as text.
CREATE TABLE api_keys (
  id VARCHAR(32) PRIMARY KEY,
  key_hash VARCHAR(64) NOT NULL,
  subject VARCHAR(255) NOT NULL,
  tenant VARCHAR(255),
  key_type VARCHAR(16) NOT NULL,
  scopes VARCHAR(4000) NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  expires_at TIMESTAMP WITH TIME ZONE,
  revoked_at TIMESTAMP WITH TIME ZONE,
  allowed_cidrs VARCHAR(4000) NOT NULL,
  rate_limit VARCHAR(64),
  last_used_at TIMESTAMP WITH TIME ZONE,
  previous_hash VARCHAR(64),
  previous_valid_until TIMESTAMP WITH TIME ZONE
);
CREATE UNIQUE INDEX api_keys_hash ON api_keys (key_hash);
CREATE INDEX api_keys_previous_hash ON api_keys (previous_hash);
CREATE INDEX api_keys_subject ON api_keys (subject);
CREATE INDEX api_keys_tenant ON api_keys (tenant);
