"""`vtb watch`: the front end that rebuilds the index and commits touches as notes are saved."""
