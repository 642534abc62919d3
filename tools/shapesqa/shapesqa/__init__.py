"""ShapesQA: a procedural video question-answering set (numpy, deterministic by seed). See ../README.md."""
