from mme3dr.cli import app

app()
