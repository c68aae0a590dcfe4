"""The matcher: recognise the columns of a file nobody described, from what the headers say
(`headers`, read with the words of `pipelines.vocabulary`) and what the cells hold (`cells`),
and ask what it cannot tell (`assign`). Callers import from the modules themselves."""
