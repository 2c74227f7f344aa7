"""``nnsweep doctor``: why does this network not train, and which change fixes it?

For one configuration (a spec with no axes, built-in, on the user's data, or the user's
own trainer): checks first (:mod:`.checks`: the gradient by finite differences, the data,
the initial state), then the configuration as given measured on N seeds, then each
change of a documented set (:mod:`.candidates`) one at a time on the same seeds, the
learning rate bracketed by decades, the best two or three combined, all within a time
budget priced by the cost model (:mod:`.search`, :mod:`.measure`). The changes are
ranked by their evidence (:mod:`.rank`: what "significant" means), and the report puts
the verdict first (:mod:`.output`, :mod:`.explain`, :mod:`.page`).
"""
