-- Install masecon into the throwaway database.
CREATE EXTENSION masecon;
\pset footer off
