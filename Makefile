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

# Benchmarks print figures; they are not part of `make test`.
bench:
	cargo bench --locked -p sandbox --bench audit_logs
	cargo bench --locked -p gatehouse --bench proxy
	cargo bench --locked -p gatehouse --bench export
	cargo bench --locked -p gatehouse --bench archive
