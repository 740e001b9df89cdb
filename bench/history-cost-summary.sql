-- The dashboard's 30-day summary of one customer.
SELECT * FROM masecon.mas_cost_summary(30, :customer);
