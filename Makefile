# The two commands of the quick start. Both install whatever is missing first (scripts/setup.sh).
.PHONY: run test setup size bench

run:
	./scripts/run.sh $(ARGS)

test:
	./scripts/test.sh

setup:
	./scripts/setup.sh

size:
	./scripts/size.sh

# Benchmarks print figures; they are not part of `make test`. The archive's runs on both engines
# and the replicas' load need PostgreSQL: scripts/bench.sh starts a throwaway cluster.
bench:
	./scripts/bench.sh
