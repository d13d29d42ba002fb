# GAP timings beside `gcnn bench groups`: character tables (with Irr) and IrreducibleRepresentationsDixon,
# in milliseconds, and whether GAP's irreps are unitary. From site-packages/gap of a passagemath-gap venv:
#   ./gap -q -A -l . /path/to/tests/gap_timings.g
SetPrintFormattingStatus("*stdout*", false);;
groups := [ ["I = A5", AlternatingGroup(5)], ["S5", SymmetricGroup(5)], ["PSL(2,7)", PSL(2,7)],
  ["SL(2,3)", SL(2,3)], ["SL(2,5)", SL(2,5)], ["GL(2,3)", GL(2,3)], ["GL(2,5)", GL(2,5)], ["D500", DihedralGroup(1000)],
  ["D499", DihedralGroup(998)], ["C1000", CyclicGroup(IsPermGroup, 1000)], ["D4xC125", DirectProduct(DihedralGroup(8), CyclicGroup(125))] ];;
for pair in groups do
  G := pair[2];;
  t0 := Runtime();; tbl := CharacterTable(G);; irr := Irr(tbl);; t1 := Runtime() - t0;;
  if Size(G) <= 480 then
    t0 := Runtime();; reps := IrreducibleRepresentationsDixon(G);; t2 := Runtime() - t0;;
    unitary := ForAll(reps, r -> ForAll(GeneratorsOfGroup(Source(r)), g -> g^r * TransposedMat(ComplexConjugate(g^r)) = (g^r)^0));;
  else
    t2 := -1;; unitary := fail;;
  fi;
  Print(pair[1], "\t", Size(G), "\t", t1, "\t", t2, "\t", unitary, "\n");
od;
QUIT;
