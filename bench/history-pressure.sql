-- One pressure forecast of the current day.
SELECT masecon.mas_pressure(:customer);
