// The page's script; the page itself needs none yet.
