"""Forms of the tickets screens, one module per subject. They check the shape of the input;
the rules live in the services."""
