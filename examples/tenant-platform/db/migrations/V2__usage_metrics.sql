CREATE TABLE tenant_usage_metrics (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  metric_date date NOT NULL,
  orders_created integer NOT NULL DEFAULT 0,
  orders_quota_used_pct numeric(5, 2) NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, metric_date)
);
