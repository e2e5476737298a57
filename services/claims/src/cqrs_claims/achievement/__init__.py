"""Achievement: payment rules per Quality Service, extracted achievement, and the calculation."""
