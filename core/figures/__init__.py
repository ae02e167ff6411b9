"""City oversight figures: rollups kept as events happen, figures for any period, snapshots, rankings, bulletins."""
