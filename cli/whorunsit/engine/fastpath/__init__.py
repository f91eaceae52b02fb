"""A specialisation: 24x7 first-come-first-served networks solved many replications
at a time (Kiefer-Wolfowitz), bit-identical to the loop where ``why_not`` says it applies."""
