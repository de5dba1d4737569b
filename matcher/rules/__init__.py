"""The contract's rules: who may coach whom, how well, and why not.

``eligibility`` holds rules 1-9 as one named, vectorised function each; ``supervision`` the
reporting-line graph behind rule 5; ``pairs`` the eligible pairs and their score term by term;
``reasons`` the words that explain a candidate left without a coach; ``view`` the columnar
codes the rules run on. A new eligibility rule goes in ``eligibility`` (with its explanation).
"""
