module github.com/smearflow/smearflow

go 1.26.8
