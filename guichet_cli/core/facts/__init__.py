"""Les faits partagés, calculés en un seul endroit.

- `amounts` : lecture d'un montant saisi ou lu dans un tableur ;
- `dates` : lecture d'une date (option, dossier, plan d'achat) ;
- `sectors` : code CPV → secteur de rules/secteurs.yaml, validation d'un code CPV ;
- `thresholds` : seuil européen (rules/seuils.yaml) et obligation L2112-2-1 ;
- `labels` : listes de codes et libellés français de schemas/defs.schema.json.

Ces modules n'importent ni typer ni les paquets analysis/, report/ ou validation/ : ce sont eux
qui les importent. Les erreurs de lecture sont des ValueError (AmountError, DateError, CpvError)
dont le message est en français ; chaque appelant en fait son UsageError ou son constat.
"""
