CREATE TABLE categories (
  id text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9-]*$'),
  name text NOT NULL,
  description text NOT NULL DEFAULT ''
);

CREATE TABLE products (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  sku text NOT NULL UNIQUE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '',
  price_amount bigint NOT NULL CHECK (price_amount >= 0),
  price_currency char(3) NOT NULL CHECK (price_currency ~ '^[A-Z]{3}$'),
  category_id text NOT NULL REFERENCES categories (id),
  image_url text NOT NULL DEFAULT '',
  attributes jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  -- Name counts most, then attribute values (brand, colour), then the description.
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', name), 'A') ||
    setweight(jsonb_to_tsvector('english', attributes, '["string"]'), 'B') ||
    setweight(to_tsvector('english', description), 'C')
  ) STORED
);

CREATE INDEX products_search_idx ON products USING gin (search);
CREATE INDEX products_category_idx ON products (category_id, name);

-- Which seed data sets have been loaded, so a restart (or a second instance) adds nothing.
CREATE TABLE seed_runs (
  name text PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
);
